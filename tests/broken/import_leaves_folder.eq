# expect: E0108 2:1 is a path outside its folder
import "../x.eq" as x
