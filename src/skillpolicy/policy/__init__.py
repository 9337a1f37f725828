"""A program file as data: the program model, dated values, conditions, catalogs, name lists, local
parameters, working days, the money model."""
