"""Request and response shapes, one module per module of api/views/. Serializers validate and format;
services decide."""
