"""The run history behind one contract, with a store per database."""
