# expect: E0203 2:27 expected percentage points, found a percent
parameter small_gap: pp = 2%
