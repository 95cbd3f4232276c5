# expect: E0108 2:1 is an absolute path
import "/etc/terms.eq" as terms
