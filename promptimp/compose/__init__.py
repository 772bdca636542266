"""The embedded model's improver: a curated library of roles and guardrails per domain, the idea
phrased as a directive, and one short model request for what the model can do well."""
