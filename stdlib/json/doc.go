// Package json is exorun's "json" Lua module. Its one job is converting
// between Lua values and JSON text without losing the difference between an
// array and an object.
//
// Lua functions:
//
//	json.encode(value [, {indent = true}]) -> string
//	json.decode(text) -> value
//	json.array([t]) -> t
//
// json.encode writes object keys sorted, integral numbers without a fraction
// (3, 1000000000000000) and other numbers as the shortest exact decimal
// (2.5); <, > and & stay as they are. A table marked as an array, or one whose
// keys are exactly 1..n, becomes a JSON array; any other table becomes an
// object, so an unmarked empty table is {}. indent = true gives two-space
// indentation. Functions, cyclic tables, NaN and infinities are errors.
//
// json.decode reads exactly one JSON value (surrounding white space allowed).
// Arrays come back marked, so they encode as arrays again even when empty;
// null becomes nil (a null inside an array leaves a hole). A syntax error or
// trailing data raises an error that gives the offset, line and column.
//
// json.array marks t, or a new empty table, as an array and returns it, so
// json.encode(json.array()) is "[]". t may hold only the keys 1..n.
package json
