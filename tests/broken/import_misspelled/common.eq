# A module of the import_misspelled case.
parameter pool: money = $1,000.00
