# expect: E0106 metrics.eq:2:51 a module does not know the contract's stratifications
import "metrics.eq" as metrics
