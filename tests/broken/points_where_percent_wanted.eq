# expect: E0203 3:42 expected a percent, found percentage points
## Full credit at half of the baseline gap closed: a share, not a distance.
parameter full_credit_closure: percent = 50 pp
