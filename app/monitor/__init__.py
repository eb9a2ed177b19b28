"""The monitor: indicators derived from the case records, for the NJi AOJ survey sections."""
