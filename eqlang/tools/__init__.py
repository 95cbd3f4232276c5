"""Tools built on checking and evaluation: invariant search, worked examples, coverage and
the hypothesis strategies for measure tables that users' own tests can take."""
