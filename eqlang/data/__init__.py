"""Data: input files in, validated rows the backends read out."""
