# expect: E0302 6:1 the measure weights sum to 90
import hedis

measure COL from hedis weight 35%
measure CBP from hedis weight 35%
measure HBD from hedis weight 20%
