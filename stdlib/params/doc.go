// Package params is exorun's "params" Lua module: a script's typed
// parameters, from --param key=value and trailing positional arguments.
//
//	params.declare(spec) -> table  -- check and convert the parameters a script takes
//	params.args() -> array         -- the positional arguments, as strings
//	params.get(name) -> string|nil -- the raw --param value, any case
//
// spec maps each parameter name to a table (or just a type name):
//
//	local p = params.declare{
//	  group = {type = "string", required = true, position = 1, help = "group to audit"},
//	  days  = {type = "integer", default = 30, help = "how far back to look"},
//	  tags  = "list",
//	}
//
// Fields: type is "string" (the default), "number", "integer", "boolean"
// (true/false, yes/no, on/off, 1/0, $true/$false) or "list" (comma-separated,
// items trimmed, empty items dropped); default is used when the parameter is
// not given (a value of the type, or a string converted like input);
// required = true makes it mandatory; help describes it in usage hints;
// position = N takes it from the N-th positional argument (1-based) when it
// is not given by name.
//
// Names match case-insensitively (--param Days=7 sets days); the result
// table uses the declared spelling and holds nil for a parameter that is
// neither given nor defaulted. Bad input (a missing required parameter, a
// value of the wrong type, a --param the script does not declare, the same
// name given twice) raises an error whose Go error is an *exitcode.Error
// with code exitcode.Usage and a hint listing the declared parameters. A
// mistake in spec itself is an ordinary script error.
//
// The same declaration lives outside Lua as a Spec, the "parameters" of a
// bundle's manifest: Spec.Resolve checks the command line before a bundle
// starts, and under a bundle (Input.Fixed) params.declare() with no spec
// takes the manifest's, while a spec the script gives must equal it.
package params
