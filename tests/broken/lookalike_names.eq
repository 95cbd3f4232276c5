# expect: E0011 3:9 `C0L` looks the same as `COL` but is not
measure COL higher is better
measure C0L higher is better
