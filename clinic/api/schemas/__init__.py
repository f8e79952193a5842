"""The API's request and response models (pydantic). They validate requests and, through spectree,
generate the OpenAPI document: one source for both."""
