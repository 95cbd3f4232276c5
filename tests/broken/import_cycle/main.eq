# expect: E0109 scores.eq:2:1 imports form a cycle: main.eq -> rates.eq -> scores.eq -> rates.eq
import "rates.eq" as rates

define payout_share: percent = rates.target
