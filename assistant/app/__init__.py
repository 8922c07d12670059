"""What the CLI and the chat share: factories, the session, conversation state, history, the catalog."""
