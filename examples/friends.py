"""The same bug class in today's client libraries: every line lintkit flags here
is accepted by Python and, in most cases, silently ignored by the library."""
import socket

import kombu
import pymysql
import redis
import requests

# kombu drops unknown keywords: heartbeats stay off (kombu's default is 0).
broker = kombu.Connection("amqp://guest@broker//", hearbeat=30)

# redis-py stores pool keywords and fails only when the first connection is made.
pool = redis.ConnectionPool(host="cache", socket_keepalive=True, socket_keepalive_option={})

# requests.Session has no timeout attribute: this line does nothing.
session = requests.Session()
session.timeout = 5

# PyMySQL: autocommit is a method; assigning replaces it.
db = pymysql.connect(host="db", user="app", password="secret", database="app")
db.autocommit = True

# socket.socket has __slots__: this raises AttributeError, but only when it runs.
sock = socket.create_connection(("service", 443))
sock.keepalive = True
