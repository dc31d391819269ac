// The official Neo4j JavaScript driver against `datatrail serve`: connecting, parameters,
// graph values, transactions, paging, errors and credentials.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import neo4j from 'neo4j-driver'

const BIN = process.env.DATATRAIL_BIN ?? 'target/release/datatrail'
const AUTH = neo4j.auth.basic('neo4j', 'js-password')
let server
let port
let driver

before(async () => {
  server = spawn(BIN, ['serve', '--bolt', '127.0.0.1:0', '--http', '127.0.0.1:0', '--auth', 'neo4j/js-password'], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let text = ''
  port = await new Promise((resolve, reject) => {
    server.stderr.on('data', chunk => {
      text += chunk
      const found = text.match(/bolt: listening on [^:]+:(\d+)/)
      if (found) resolve(Number(found[1]))
    })
    server.on('exit', code => reject(new Error(`server exited ${code}: ${text}`)))
  })
  driver = neo4j.driver(`bolt://127.0.0.1:${port}`, AUTH)
})

after(async () => {
  await driver.close()
  server.kill('SIGTERM')
  const [code] = await once(server, 'exit')
  assert.equal(code, 0)
})

test('connects as a Neo4j 5 server', async () => {
  const info = await driver.getServerInfo()
  assert.match(info.agent, /^Neo4j\/5\./)
  assert.deepEqual({ ...info.protocolVersion }, { major: 5, minor: 4 })
})

// Integers and temporal values as text, so that values compare whatever class holds them.
function normal (v) {
  if (v === null || typeof v !== 'object') return v
  if (neo4j.isInt(v) || v instanceof neo4j.types.Duration || !(Array.isArray(v) || v.constructor === Object)) {
    return `${v.constructor.name}:${v.toString()}`
  }
  if (Array.isArray(v)) return v.map(normal)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]))
}

test('parameters round-trip', async () => {
  const values = [
    null, true, 42, neo4j.int('9007199254740993'), 1.5, 'héllo', [1, 'a', null], { a: { b: [true] } },
    new neo4j.types.Date(2024, 2, 29),
    new neo4j.types.LocalTime(23, 59, 59, 123456789),
    new neo4j.types.Time(10, 15, 30, 0, 7200),
    new neo4j.types.LocalDateTime(2020, 1, 2, 3, 4, 5, 6),
    new neo4j.types.DateTime(2020, 1, 2, 3, 4, 5, 0, 3600),
    new neo4j.types.DateTime(2024, 7, 1, 12, 0, 0, 0, 7200, 'Europe/Stockholm'),
    new neo4j.types.Duration(14, 3, 4, 5)
  ]
  for (const v of values) {
    const { records } = await driver.executeQuery('RETURN $v AS v', { v })
    const back = records[0].get('v')
    assert.deepEqual(normal(back), normal(v), `round trip of ${v}`)
  }
})

test('nodes, relationships and paths', async () => {
  const label = 'J' + Math.random().toString(36).slice(2, 10)
  await driver.executeQuery(`CREATE (:${label} {name: 'a'})-[:SENT {w: 1}]->(:${label} {name: 'b'})`)
  const { records } = await driver.executeQuery(
    `MATCH p = (a:${label})-[r:SENT]->(b) RETURN a, r, p`
  )
  const [a, r, p] = ['a', 'r', 'p'].map(k => records[0].get(k))
  assert.deepEqual(a.labels, [label])
  assert.equal(a.properties.name, 'a')
  assert.equal(r.type, 'SENT')
  assert.equal(r.startNodeElementId, a.elementId)
  assert.equal(p.segments.length, 1)
  assert.equal(p.end.properties.name, 'b')
})

test('commit, rollback and paging', async () => {
  const label = 'J' + Math.random().toString(36).slice(2, 10)
  const session = driver.session({ fetchSize: 5 })
  try {
    const tx = await session.beginTransaction()
    await tx.run(`CREATE (:${label})`)
    await tx.rollback()
    await session.executeWrite(tx => tx.run(`CREATE (:${label})`))
    const counted = await session.run(`MATCH (n:${label}) RETURN count(n) AS c`)
    assert.equal(counted.records[0].get('c').toNumber(), 1)
    const paged = await session.run('UNWIND range(1, 100) AS i RETURN i')
    assert.deepEqual(paged.records.map(r => r.get('i').toNumber()), [...Array(100).keys()].map(i => i + 1))
  } finally {
    await session.close()
  }
})

test('errors carry Neo4j codes', async () => {
  await assert.rejects(driver.executeQuery('RETRN 1'), e => {
    assert.equal(e.code, 'Neo.ClientError.Statement.SyntaxError')
    assert.match(e.message, /\^/)
    return true
  })
})

test('wrong credentials are refused', async () => {
  const wrong = neo4j.driver(`bolt://127.0.0.1:${port}`, neo4j.auth.basic('neo4j', 'nope'))
  try {
    await assert.rejects(wrong.verifyConnectivity(), e => e.code === 'Neo.ClientError.Security.Unauthorized')
  } finally {
    await wrong.close()
  }
})

test('neo4j:// URIs route to this server', async () => {
  const routed = neo4j.driver(`neo4j://127.0.0.1:${port}`, AUTH)
  try {
    const { records } = await routed.executeQuery('RETURN 7 AS x', {}, { routing: neo4j.routing.READ })
    assert.equal(records[0].get('x').toNumber(), 7)
  } finally {
    await routed.close()
  }
})
