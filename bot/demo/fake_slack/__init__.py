"""A local stand-in for Slack, served over loopback for the demo, tests and benchmark:
``server.FakeSlack`` serves the workspace (``workspace``) through the Web API methods
(``web_api``, ``messaging``) checked against Block Kit's limits (``block_kit_limits``), with
Socket Mode (``socket_mode``) and injected faults (``faults``)."""
