# expect: E0101 4:1 module `hedis` has no measure `COLL`
import hedis

measure COLL from hedis
