package schema

import "strconv"

// signature names a function's parameters as Graph keys them in
// attributeMappingSource trees (GET …/schema/functions), so a tree that
// leaves optional parameters out can be put back in position. fixed are
// the positional parameters; variadic, if any, repeat after them in turn
// (Switch: key, value, key, value…).
type signature struct {
	fixed    []string
	variadic []string
}

// signatures covers the documented functions. Names Graph documents come
// from its function list; the others follow the documentation's parameter
// names. A function missing here keeps its parameters in list order.
var signatures = map[string]signature{
	"Append":                  {fixed: []string{"source", "suffix"}},
	"BitAnd":                  {fixed: []string{"value1", "value2"}},
	"CBool":                   {fixed: []string{"expression"}},
	"CDate":                   {fixed: []string{"expression"}},
	"Coalesce":                {variadic: []string{"source"}},
	"ConvertFromBase64":       {fixed: []string{"source", "encoding"}},
	"ConvertToBase64":         {fixed: []string{"source"}},
	"ConvertToUTF8Hex":        {fixed: []string{"source"}},
	"Count":                   {fixed: []string{"attribute"}},
	"CStr":                    {fixed: []string{"value"}},
	"DateAdd":                 {fixed: []string{"interval", "value", "dateTime"}},
	"DateDiff":                {fixed: []string{"interval", "date1", "date2"}},
	"DateFromNum":             {fixed: []string{"value"}},
	"DefaultDomain":           {},
	"DNComponent":             {fixed: []string{"dn", "ComponentNumber"}},
	"Error":                   {fixed: []string{"message"}},
	"FormatDateTime":          {fixed: []string{"source", "dateTimeStyles", "inputFormat", "outputFormat"}},
	"Guid":                    {},
	"IgnoreFlowIfNullOrEmpty": {fixed: []string{"expression"}},
	"IIF":                     {fixed: []string{"condition", "valueIfTrue", "valueIfFalse"}},
	"InStr":                   {fixed: []string{"value1", "value2", "start", "compareType"}},
	"IsNull":                  {fixed: []string{"expression"}},
	"IsNullOrEmpty":           {fixed: []string{"expression"}},
	"IsPresent":               {fixed: []string{"expression"}},
	"IsString":                {fixed: []string{"value"}},
	"Item":                    {fixed: []string{"attribute", "index"}},
	"Join":                    {fixed: []string{"separator"}, variadic: []string{"source"}},
	"Left":                    {fixed: []string{"String", "NumChars"}},
	"Mid":                     {fixed: []string{"source", "start", "length"}},
	"NormalizeDiacritics":     {fixed: []string{"source"}},
	"Not":                     {fixed: []string{"source"}},
	"Now":                     {},
	"NumFromDate":             {fixed: []string{"value"}},
	"PCase":                   {fixed: []string{"source", "wordSeparators"}},
	"Prepend":                 {fixed: []string{"prefix", "source"}},
	"RandomString":            {fixed: []string{"Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase", "CharactersToAvoid"}},
	"Redact":                  {fixed: []string{"source"}},
	"RemoveDuplicates":        {fixed: []string{"attribute"}},
	"Replace":                 {fixed: []string{"source", "Find", "RegularExpression", "RegularExpressionGroupName", "Replacement", "ReplacementPropertyName", "Template"}},
	"SelectUniqueValue":       {variadic: []string{"uniqueValueRule"}},
	"SingleAppRoleAssignment": {fixed: []string{"source"}},
	"Split":                   {fixed: []string{"source", "delimiter"}},
	"StripSpaces":             {fixed: []string{"source"}},
	"Switch":                  {fixed: []string{"source", "defaultValue"}, variadic: []string{"key", "value"}},
	"ToLower":                 {fixed: []string{"source", "culture"}},
	"ToUpper":                 {fixed: []string{"source", "culture"}},
	"Trim":                    {fixed: []string{"source"}},
	"Word":                    {fixed: []string{"String", "WordNumber", "Delimiters"}},
}

// key is the Graph key of argument i of a call with this signature.
func (s signature) key(i int) string {
	switch {
	case i < len(s.fixed):
		return s.fixed[i]
	case len(s.variadic) > 0:
		return s.variadic[(i-len(s.fixed))%len(s.variadic)]
	}
	return argKey(i)
}

// argKey keys arguments past a signature, or of functions it lacks.
func argKey(i int) string { return "arg" + strconv.Itoa(i+1) }

// comparison operators appear in trees as functions with two parameters.
// Graph's own form for a comparison inside IIF is not documented; this is
// ours, and Import reads it back.
const (
	cmpLeft  = "left"
	cmpRight = "right"
)
