"""A program file checked whole (its rules' kinds and params included), found on the search path and
loaded; its JSON Schema."""
