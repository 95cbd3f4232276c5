# A module of the import_cycle case: importing rates.eq closes the cycle.
import "rates.eq" as rates

parameter full_credit: percent = 50%
