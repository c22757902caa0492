-- Every statement and expression form of Lua 5.1 (and gopher-lua's goto),
-- each holding a cmdlet call: exo.invoke("Sink-NN") in form NN. The test
-- checks that every one is found at its line.
local exo = connect()
local t, obj = {}, {}

x = exo.invoke("Sink-01")                          -- assignment, right side
t[exo.invoke("Sink-02")] = 1                       -- assignment, key of the left side
exo.invoke("Sink-03").field = true                 -- assignment, object of the left side
local a, b = exo.invoke("Sink-04"), nil            -- local assignment
exo.invoke("Sink-05")                              -- call statement
do exo.invoke("Sink-06") end                       -- do block
while exo.invoke("Sink-07") do                     -- while condition
  exo.invoke("Sink-08")                            -- while body
  break
end
repeat
  exo.invoke("Sink-09")                            -- repeat body
until exo.invoke("Sink-10")                        -- until condition
if exo.invoke("Sink-11") then                      -- if condition
  exo.invoke("Sink-12")                            -- then
elseif exo.invoke("Sink-13") then                  -- elseif condition
  exo.invoke("Sink-14")                            -- elseif body
else
  exo.invoke("Sink-15")                            -- else
end
for i = exo.invoke("Sink-16"),                     -- numeric for: start
    exo.invoke("Sink-17"),                         -- limit
    exo.invoke("Sink-18") do                       -- step
  exo.invoke("Sink-19")                            -- body
end
for k, v in exo.invoke("Sink-20") do               -- generic for: explist
  exo.invoke("Sink-21")                            -- body
end
function f() exo.invoke("Sink-22") end             -- function statement
function t.g() exo.invoke("Sink-23") end           -- function a.b statement
function t:m() exo.invoke("Sink-24") end           -- function a:b statement
local function h() exo.invoke("Sink-25") end       -- local function
local function r() return exo.invoke("Sink-26") end -- return
::top::
exo.invoke("Sink-27")                              -- after a label
if false then goto top end
local tbl = {
  exo.invoke("Sink-28"),                           -- positional field
  name = exo.invoke("Sink-29"),                    -- named field
  [exo.invoke("Sink-30")] = 1,                     -- computed key
}
print(exo.invoke("Sink-31"))                       -- argument of a call
exo.invoke("Sink-32"):first()                      -- receiver of a method call
obj:m(exo.invoke("Sink-33"))                       -- argument of a method call
local l1 = exo.invoke("Sink-34") or true           -- or, left
local l2 = nil and exo.invoke("Sink-35")           -- and, right
local rel = exo.invoke("Sink-36") == 1             -- relational
local cat = "x" .. exo.invoke("Sink-37")           -- concatenation
local ar = 2 * exo.invoke("Sink-38")               -- arithmetic
local um = -exo.invoke("Sink-39")                  -- unary minus
local un = not exo.invoke("Sink-40")               -- not
local ul = #exo.invoke("Sink-41")                  -- length
local fe = function() return exo.invoke("Sink-42") end -- function expression
local pe = (exo.invoke("Sink-43"))                 -- parentheses
local ag = exo.invoke("Sink-44").Name              -- object of a field
local ak = t[exo.invoke("Sink-45")]                -- key of an index
local function va(...)                             -- varargs
  local first = ...
  return exo.invoke("Sink-46"), ...
end
local deep = function() return function() return { function() exo.invoke("Sink-47") end } end end
f(1)(exo.invoke("Sink-48"))                        -- argument of a call's result
exo.invoke "Sink-49"                               -- string argument
local num, tru = 1.5, true
