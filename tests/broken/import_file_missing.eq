# expect: E0107 2:1 cannot import `common_terms.eq`: no such file
import "common_terms.eq" as common
