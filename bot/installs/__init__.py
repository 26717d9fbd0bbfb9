"""Installing in any workspace: Bolt's installation and OAuth state stores over the ports,
the authorize function, tokens sealed at rest, and a Web API client per workspace."""
