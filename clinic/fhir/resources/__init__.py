"""Domain objects → FHIR R4 resources as plain JSON. Reading only: nothing here changes anything."""
