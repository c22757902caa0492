// Package checks gives scripts the globals check, metric and threshold,
// and judges the thresholds after the script: a script states what a good
// tenant looks like, and the run's exit code says whether it was one
// (exit code 7, exitcode.Checks, when a threshold failed).
//
//	check(value, name) -> boolean             -- a pass when value is truthy, a fail otherwise
//	check{name1 = v1, name2 = v2} -> boolean  -- several; true only if all passed
//	metric(name) -> metric                    -- declare a metric, or get the declared one
//	m:add([n])                                -- count = count + n (n defaults to 1)
//	m:set(v)                                  -- value = v
//	threshold(name, rule)                     -- judge metric name after the script
//
// check records and returns; it never stops the script. The table form
// records its checks in name order. A check name is any non-empty string.
//
// A metric has the aggregates count (the sum of what add was given; 0 at
// first), value (the last number given to set), min and max (the smallest
// and largest number ever given to add or set; add() with no argument
// counts as add(1)). Numbers must be finite. A metric's name is letters,
// digits, _, . and -. The metric "checks" is built in and cannot be
// declared: its aggregates are passes, fails, count (passes + fails) and
// rate (passes / count) over every check().
//
// A string rule is at most 1000 characters.
//
// threshold(name, rule) needs name to be "checks" or a metric already
// declared with metric(name), and checks that at once, as it parses a
// string rule: a threshold declared at the top of a script fails before
// any cmdlet runs. The same name may take several thresholds; each is
// judged and reported on its own. A rule is
//
//   - a string expression over the metric's aggregates and numbers:
//     comparisons == ~= (or !=) < <= > >=, joined with and, or, not and
//     parentheses, e.g. "count == 0", "rate >= 0.95 and fails < 3". A
//     name the metric has no aggregate of is a parse error listing the
//     ones it has. and and or stop at the side that decides; reading an
//     aggregate that has no value (value of a metric never set, min or max
//     of a metric never given a number, rate with no checks) fails the
//     threshold with "metric NAME has no value: ...", never passes it.
//   - a Lua function, called after the script with a table of the
//     aggregates that have a value; true passes, false fails, and any
//     other result (a count, nil) fails with an error saying so. One that
//     raises, or is stopped (--timeout, Ctrl-C), fails the threshold with
//     the error's text. It cannot exit().
//
// Recorder.Evaluate returns Results: checks in first-recorded order,
// metrics and thresholds in declaration order, each threshold with the
// aggregates its rule saw. They hold names, numbers and rules only, and
// the same run gives the same Results.
package checks
