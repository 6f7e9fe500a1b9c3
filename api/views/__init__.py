"""The API's views, one module per topic. Each parses input, calls a selector or a service, serialises."""
