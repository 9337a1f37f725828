"""skillpolicy: check vocational-skills-training rosters against policy rules.

The library is usable without the command line: load a program with
:func:`skillpolicy.loading.programfiles.load_program`, then call :func:`skillpolicy.check.validate.validate_sheet`.
"""

__version__ = "0.1.0"
