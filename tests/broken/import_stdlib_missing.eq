# expect: E0107 2:1 there is no standard library module `hedes`
import hedes
