package expr

import "strconv"

// Pos is a position in the expression source. Line and Col are 1-based; Col
// counts characters (runes), Offset counts bytes from the start.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// String renders "line:col".
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// Node is a node of the syntax tree Parse returns.
type Node interface {
	// Position is where the node starts.
	Position() Pos
	node()
}

// AttrRef is an attribute reference: [name].
type AttrRef struct {
	At   Pos
	Name string
}

// StringLit is a double-quoted string constant, escapes already resolved.
type StringLit struct {
	At    Pos
	Value string
}

// NumberLit is an unquoted number: decimal (optionally negative, with a
// fraction) or VB hex (&HFF). Value is its canonical decimal text; every
// constant is a string at run time, as in the Graph representation.
type NumberLit struct {
	At    Pos
	Text  string
	Value string
}

// Ident is a bare identifier that is not a call, such as vbTextCompare.
type Ident struct {
	At   Pos
	Name string
}

// Call is a function call. An omitted argument (Switch([a], , "x", "y")) is
// an *Empty node in Args.
type Call struct {
	At     Pos
	Name   string
	Args   []Node
	Rparen Pos
}

// Empty is an omitted argument slot; it evaluates to null.
type Empty struct {
	At Pos
}

// CmpOp is a comparison operator.
type CmpOp uint8

// Comparison operators, usable in IIF conditions.
const (
	OpEq CmpOp = iota + 1 // =
	OpNe                  // <>
	OpLt                  // <
	OpLe                  // <=
	OpGt                  // >
	OpGe                  // >=
)

var cmpOpText = map[CmpOp]string{OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

// String renders the operator as written.
func (o CmpOp) String() string { return cmpOpText[o] }

// Compare is a comparison: Left Op Right.
type Compare struct {
	At    Pos // position of the operator
	Op    CmpOp
	Left  Node
	Right Node
}

func (n *AttrRef) Position() Pos   { return n.At }
func (n *StringLit) Position() Pos { return n.At }
func (n *NumberLit) Position() Pos { return n.At }
func (n *Ident) Position() Pos     { return n.At }
func (n *Call) Position() Pos      { return n.At }
func (n *Empty) Position() Pos     { return n.At }
func (n *Compare) Position() Pos   { return n.Left.Position() }

func (*AttrRef) node()   {}
func (*StringLit) node() {}
func (*NumberLit) node() {}
func (*Ident) node()     {}
func (*Call) node()      {}
func (*Empty) node()     {}
func (*Compare) node()   {}
