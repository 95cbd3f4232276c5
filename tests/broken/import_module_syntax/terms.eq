# A module of the import_module_syntax case: its last line stops after an operator.
parameter base_pool: money = $1,000,000.00
parameter pool: money = base_pool +
