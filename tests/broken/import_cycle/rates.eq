# A module of the import_cycle case: it imports scores.eq, which imports it back.
import "scores.eq" as scores

parameter target: percent = 75%
