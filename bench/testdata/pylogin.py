"""Plain asyncio FTP login client: the Python yardstick for ftpbench's CPU per login.

usage: pylogin.py HOST PORT USER PASS LOGINS CONCURRENCY
Each login is connect, USER, PASS, QUIT; prints the number of successful logins.
"""
import asyncio
import sys


async def reply(reader):
    line = await reader.readline()
    while line[3:4] == b"-":  # multi-line reply: read until "ddd "
        code = line[:3]
        line = await reader.readline()
        while not (line[:3] == code and line[3:4] == b" "):
            line = await reader.readline()
    return int(line[:3])


async def login(host, port, user, password):
    reader, writer = await asyncio.open_connection(host, port)
    ok = await reply(reader) == 220
    writer.write(b"USER " + user + b"\r\n")
    ok = ok and await reply(reader) == 331
    writer.write(b"PASS " + password + b"\r\n")
    ok = ok and await reply(reader) == 230
    writer.write(b"QUIT\r\n")
    await reply(reader)
    writer.close()
    await writer.wait_closed()
    return ok


async def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4].encode()
    total, conc = int(sys.argv[5]), int(sys.argv[6])
    left = [total]
    done = [0]

    async def worker():
        while left[0] > 0:
            left[0] -= 1
            if await login(host, port, user, password):
                done[0] += 1

    await asyncio.gather(*(worker() for _ in range(conc)))
    print(done[0])


asyncio.run(main())
