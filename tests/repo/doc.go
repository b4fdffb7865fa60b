// Package repo holds tests about the repository as a whole: package
// documentation and layout rules that no single module can check.
package repo
