# expect: E0302 5:1 measure `HBD` has no weight, but other measures do
import hedis
measure COL from hedis weight 50%
measure CBP from hedis weight 50%
measure HBD from hedis
