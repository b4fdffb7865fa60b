package ldapx

// SkipReference exposes skipReference to the tests.
var SkipReference = skipReference
