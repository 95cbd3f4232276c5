# expect: E0106 metrics.eq:3:51 the contract declares no stratification
import "metrics.eq" as metrics
