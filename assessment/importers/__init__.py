"""Models from a provider's published matrix (CAIQ v4 workbook, OSCAL SSP): pure, bytes in, model dict out."""
