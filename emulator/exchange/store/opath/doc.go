// Package opath parses and evaluates the subset of Exchange's OPATH filter
// syntax that the emulated tenant's -Filter parameters accept:
// comparisons with -eq -ne -like -notlike -gt -lt -ge -le, the logical
// operators -and -or -not, parentheses, values in single or double quotes
// or bare, and $true, $false and $null.
//
// Property names are matched case-insensitively by the caller's lookup
// function; Parse reports every property name it saw (Expr.Properties) so
// the caller can refuse unknown ones before evaluating anything.
package opath
