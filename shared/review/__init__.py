"""Review of a material (identity, right, complaint) for one complaint: the shared
part of the cascade."""
