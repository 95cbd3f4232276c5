# expect: E0107 main.eq:2:1 cannot import `comon.eq`: no such file
import "comon.eq" as common
