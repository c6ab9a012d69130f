# An AMQP driver in the style of the 2012 OpenStack code that caused the outage:
# Python 2 (`except X, e:`), the broker connection kept on self, configured in
# one method and (mis)tuned in another.  `lintkit check examples/` finds the
# typo that kept heartbeats off for months.
import logging
import time

import qpid.messaging

LOG = logging.getLogger(__name__)


class BrokerLink(object):
    def __init__(self, settings):
        self.settings = settings
        self.connection = None
        self.connect()

    def connect(self):
        self.connection = qpid.messaging.Connection(self.settings["broker"])
        self.connection.username = self.settings["username"]
        self.connection.password = self.settings["password"]
        self.connection.reconnect = True
        self.connection.reconnect_interval_max = 60
        self.connection.hearbeat = self.settings["heartbeat"]
        self.connection.tcp_nodelay = True
        while True:
            try:
                self.connection.open()
                break
            except qpid.messaging.exceptions.ConnectionError, e:
                LOG.error("unable to connect to %s: %s", self.settings["broker"], e)
                time.sleep(1)
        print "connected to", self.settings["broker"]

    def retune(self, seconds):
        self.connection.reconnect_interval_mix = seconds
