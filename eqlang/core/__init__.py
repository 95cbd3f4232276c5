"""The core: the values every stage shares and the checked program the backends interpret."""
