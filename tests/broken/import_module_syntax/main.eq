# expect: E0003 terms.eq:3:35 unexpected end of file
## The imported module is cut short; the error is reported in the module's own file.
import "terms.eq" as terms

define half_pool: money = terms.pool * 50%
