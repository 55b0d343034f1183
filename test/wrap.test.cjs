// The wrapping toolkit (dist/wrap): the wrapt contract, transparency of wrapped functions, stacks of layers
// removed in any order, exact descriptor restore, module-namespace assignment, errors and the change journal.
// In-process: wrapping needs no hooks, so no node is spawned.
'use strict'
const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const util = require('node:util')
const { ROOT } = require('./helpers.cjs')

const WRAP = path.join(ROOT, 'dist', 'wrap', 'index.js')
const { wrap, wrapMethod, unwrap, isWrapped, getOriginal } = require(WRAP)
const { PatchrunError } = require(path.join(ROOT, 'dist', 'errors.js'))

/** A pass-through wrapper that logs `label` on each call: applies, or constructs under `new`. */
function tracer(label, log) {
  return (original, thisArg, args, newTarget) => {
    log.push(label)
    return newTarget === undefined ? original.apply(thisArg, args) : Reflect.construct(original, args, newTarget)
  }
}

/** A wrapper that records exactly what it was called with, then passes through. */
function spy(seen) {
  return (original, thisArg, args, newTarget) => {
    seen.push({ original, thisArg, args, newTarget, argsIsArray: Array.isArray(args) })
    return newTarget === undefined ? original.apply(thisArg, args) : Reflect.construct(original, args, newTarget)
  }
}

/** Asserts `run` throws PATCHRUN_E_WRAP naming each of `facts`, and returns the error. */
function assertWrapError(run, facts) {
  let caught
  assert.throws(run, (error) => {
    caught = error
    return true
  })
  assert.ok(caught instanceof PatchrunError, `expected a PatchrunError, got ${caught}`)
  assert.equal(caught.code, 'PATCHRUN_E_WRAP')
  for (const fact of facts) assert.ok(caught.message.includes(fact), `expected ${JSON.stringify(fact)} in: ${caught.message}`)
  return caught
}

function permutations(items) {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

describe('the wrapt contract on a plain function', () => {
  test('the wrapper gets (original, thisArg, args array, undefined) and its return value is the result', () => {
    function add(a, b) {
      return a + b + ((this && this.k) || 0)
    }
    const owner = { add }
    const seen = []
    const wrapped = wrap(owner, 'add', (original, thisArg, args, newTarget) => {
      seen.push({ original, thisArg, args, newTarget, isArray: Array.isArray(args) })
      return original.apply(thisArg, args) * 10
    })
    assert.equal(owner.add, wrapped)
    assert.notEqual(wrapped, add)
    assert.equal(owner.add(1, 2), 30)
    const receiver = { k: 100 }
    assert.equal(wrapped.call(receiver, 1, 2), 1030)
    assert.equal(seen.length, 2)
    assert.equal(seen[0].original, add)
    assert.equal(seen[0].thisArg, owner)
    assert.deepEqual(seen[0].args, [1, 2])
    assert.equal(seen[0].isArray, true)
    assert.equal(seen[0].newTarget, undefined)
    assert.equal(seen[1].thisArg, receiver)
    assert.deepEqual(seen[1].args, [1, 2])
  })

  test('args never holds the receiver, and a wrapper may change the arguments', () => {
    const owner = { echo: (...args) => args }
    wrap(owner, 'echo', (original, thisArg, args) => {
      args.push('added')
      return original.apply(thisArg, args)
    })
    assert.deepEqual(owner.echo('a'), ['a', 'added'])
    assert.deepEqual(owner.echo(), ['added'])
  })

  test('a wrapper that throws reaches the caller', () => {
    const owner = { f: () => 1 }
    wrap(owner, 'f', () => {
      throw new RangeError('from the wrapper')
    })
    assert.throws(() => owner.f(), { name: 'RangeError', message: 'from the wrapper' })
  })

  test('name, length and toString are the original\'s; own name/length descriptors match', () => {
    function original(a, b, c) {
      return a
    }
    const owner = { original }
    const wrapped = wrap(owner, 'original', tracer('x', []))
    assert.equal(wrapped.name, 'original')
    assert.equal(wrapped.length, 3)
    assert.deepEqual(Object.getOwnPropertyDescriptor(wrapped, 'name'), Object.getOwnPropertyDescriptor(original, 'name'))
    assert.deepEqual(Object.getOwnPropertyDescriptor(wrapped, 'length'), Object.getOwnPropertyDescriptor(original, 'length'))
    assert.equal(wrapped.toString(), original.toString())
  })

  test('own properties of the original are read through the wrapped function, also ones added after the wrap', () => {
    function original() {}
    original.before = 'before'
    const owner = { original }
    const wrapped = wrap(owner, 'original', tracer('x', []))
    original.after = 'after'
    assert.equal(wrapped.before, 'before')
    assert.equal(wrapped.after, 'after')
    original.before = 'changed'
    assert.equal(wrapped.before, 'changed')
  })

  test('a property written on the wrapped function stays on it (documented: reads forward, writes do not)', () => {
    function original() {}
    original.setting = 1
    const owner = { original }
    const wrapped = wrap(owner, 'original', tracer('x', []))
    wrapped.setting = 2
    assert.equal(wrapped.setting, 2)
    assert.equal(original.setting, 1)
  })

  test('an arrow function stays non-constructible and has no prototype', () => {
    const owner = { arrow: () => 'arrow' }
    const wrapped = wrap(owner, 'arrow', tracer('x', []))
    assert.equal(wrapped(), 'arrow')
    assert.throws(() => new wrapped(), TypeError)
    assert.equal(wrapped.prototype, undefined)
    assert.equal(Object.getOwnPropertyDescriptor(wrapped, 'prototype'), undefined)
  })

  test('a symbol-named property can be wrapped and unwrapped', () => {
    const key = Symbol('hidden')
    const original = () => 'hidden'
    const owner = { [key]: original }
    const log = []
    wrap(owner, key, tracer('s', log))
    assert.equal(owner[key](), 'hidden')
    assert.deepEqual(log, ['s'])
    assert.equal(unwrap(owner, key), true)
    assert.equal(owner[key], original)
  })
})

describe('methods and static methods', () => {
  class Counter {
    constructor(start) {
      this.count = start
    }
    add(n) {
      this.count += n
      return this.count
    }
    static create(start) {
      return new this(start)
    }
  }

  test('wrapMethod wraps Class.prototype[name]; thisArg is the instance; the descriptor keeps its shape', () => {
    class Local extends Counter {}
    Local.prototype.add = Counter.prototype.add
    const before = Object.getOwnPropertyDescriptor(Local.prototype, 'add')
    const seen = []
    const wrapped = wrapMethod(Local, 'add', spy(seen))
    const instance = new Local(1)
    assert.equal(instance.add(2), 3)
    assert.equal(seen[0].thisArg, instance)
    assert.deepEqual(seen[0].args, [2])
    assert.equal(Local.prototype.add, wrapped)
    const during = Object.getOwnPropertyDescriptor(Local.prototype, 'add')
    assert.deepEqual({ ...during, value: undefined }, { ...before, value: undefined })
    assert.equal(unwrap(Local.prototype, 'add'), true)
    assert.deepEqual(Object.getOwnPropertyDescriptor(Local.prototype, 'add'), before)
  })

  test('a class method is not constructible, wrapped or not', () => {
    class Local {
      m() {
        return 'm'
      }
    }
    const wrapped = wrapMethod(Local, 'm', tracer('x', []))
    assert.equal(new Local().m(), 'm')
    assert.throws(() => new wrapped(), TypeError)
  })

  test('a static method: thisArg is the class, and the non-enumerable descriptor is kept', () => {
    class Local extends Counter {}
    Local.create = Counter.create
    Object.defineProperty(Local, 'create', { enumerable: false })
    const before = Object.getOwnPropertyDescriptor(Local, 'create')
    const seen = []
    wrap(Local, 'create', spy(seen))
    const made = Local.create(5)
    assert.ok(made instanceof Local)
    assert.equal(made.count, 5)
    assert.equal(seen[0].thisArg, Local)
    assert.equal(Object.getOwnPropertyDescriptor(Local, 'create').enumerable, false)
    unwrap(Local, 'create')
    assert.deepEqual(Object.getOwnPropertyDescriptor(Local, 'create'), before)
  })

  test('an inherited method wrapped on an instance: an own property is added, and unwrap deletes it', () => {
    class Local extends Counter {}
    const instance = new Local(0)
    const other = new Local(0)
    const inherited = Object.getOwnPropertyDescriptor(Counter.prototype, 'add')
    const log = []
    const wrapped = wrap(instance, 'add', tracer('own', log))
    assert.deepEqual(Object.getOwnPropertyDescriptor(instance, 'add'), {
      value: wrapped,
      writable: inherited.writable,
      enumerable: inherited.enumerable,
      configurable: true,
    })
    assert.equal(instance.add(1), 1)
    assert.equal(other.add(1), 1)
    assert.deepEqual(log, ['own'])
    assert.deepEqual(Object.getOwnPropertyDescriptor(Counter.prototype, 'add'), inherited)
    assert.equal(unwrap(instance, 'add'), true)
    assert.equal(Object.getOwnPropertyDescriptor(instance, 'add'), undefined)
    assert.equal(instance.add, Counter.prototype.add)
  })

  test('unwrap on an instance that only inherits a wrapped method returns false and changes nothing', () => {
    class Local {
      m() {
        return 'm'
      }
    }
    const wrapped = wrapMethod(Local, 'm', tracer('x', []))
    const instance = new Local()
    assert.equal(unwrap(instance, 'm'), false)
    assert.equal(Local.prototype.m, wrapped)
    assert.equal(isWrapped(Local.prototype.m), true)
  })
})

describe('classes', () => {
  function makeClass() {
    class Shape {
      constructor(size) {
        this.size = size
      }
      area() {
        return this.size * this.size
      }
      static unit() {
        return new this(1)
      }
    }
    return Shape
  }

  test('new wrapped() builds an instance of the original; instanceof works against both', () => {
    const Shape = makeClass()
    const owner = { Shape }
    const seen = []
    const Wrapped = wrap(owner, 'Shape', spy(seen))
    const shape = new Wrapped(3)
    assert.ok(shape instanceof Shape)
    assert.ok(shape instanceof Wrapped)
    assert.equal(Object.getPrototypeOf(shape), Shape.prototype)
    assert.equal(shape.area(), 9)
    assert.equal(seen[0].newTarget, Shape)
    assert.deepEqual(seen[0].args, [3])
    assert.equal(Wrapped.prototype, Shape.prototype)
    assert.deepEqual(Object.getOwnPropertyDescriptor(Wrapped, 'prototype'), Object.getOwnPropertyDescriptor(Shape, 'prototype'))
    assert.equal(Wrapped.name, 'Shape')
  })

  test('calling a wrapped class without new throws the original\'s TypeError', () => {
    const Shape = makeClass()
    const Wrapped = wrap({ Shape }, 'Shape', tracer('x', []))
    assert.throws(() => Wrapped(1), { name: 'TypeError', message: /Class constructor Shape cannot be invoked without 'new'/ })
  })

  test('static methods are reached through the wrapped class, with this = the wrapped class', () => {
    const Shape = makeClass()
    const Wrapped = wrap({ Shape }, 'Shape', tracer('x', []))
    const unit = Wrapped.unit()
    assert.ok(unit instanceof Shape)
    assert.equal(unit.size, 1)
    Shape.later = () => 'later'
    assert.equal(Wrapped.later(), 'later')
  })

  test('a wrapped class is subclassable: super() reaches the original through the wrapper, with the subclass as newTarget', () => {
    const Shape = makeClass()
    const seen = []
    const Wrapped = wrap({ Shape }, 'Shape', spy(seen))
    class Square extends Wrapped {
      constructor(size) {
        super(size * 2)
        this.kind = 'square'
      }
      area() {
        return super.area() + 1
      }
    }
    const square = new Square(2)
    assert.equal(seen.length, 1)
    assert.equal(seen[0].newTarget, Square)
    assert.deepEqual(seen[0].args, [4])
    assert.ok(square instanceof Square)
    assert.ok(square instanceof Wrapped)
    assert.ok(square instanceof Shape)
    assert.equal(square.size, 4)
    assert.equal(square.kind, 'square')
    assert.equal(square.area(), 17)
    assert.ok(Square.unit() instanceof Square)
    // The subclass inherits from the wrapped class, not its mark.
    assert.equal(isWrapped(Square), false)
  })

  test('a wrapped class kept by the app still constructs after unwrap, without the wrapper', () => {
    const Shape = makeClass()
    const owner = { Shape }
    const log = []
    const Kept = wrap(owner, 'Shape', tracer('x', log))
    class Sub extends Kept {}
    assert.equal(unwrap(owner, 'Shape'), true)
    assert.equal(owner.Shape, Shape)
    const shape = new Kept(2)
    assert.ok(shape instanceof Shape)
    assert.equal(shape.area(), 4)
    const sub = new Sub(3)
    assert.ok(sub instanceof Sub)
    assert.equal(sub.area(), 9)
    assert.deepEqual(log, [])
  })

  test('an ES5 constructor: under new, thisArg is the fresh object, and applying the original initialises it', () => {
    function Point(x) {
      this.x = x
    }
    Point.prototype.double = function () {
      return this.x * 2
    }
    const owner = { Point }
    const seen = []
    const Wrapped = wrap(owner, 'Point', (original, thisArg, args, newTarget) => {
      seen.push({ thisArg, newTarget })
      return original.apply(thisArg, args)
    })
    const point = new Wrapped(4)
    assert.equal(seen[0].newTarget, Point)
    assert.equal(seen[0].thisArg, point)
    assert.equal(Object.getPrototypeOf(point), Point.prototype)
    assert.ok(point instanceof Point)
    assert.equal(point.double(), 8)
    // Called without new (as ES5 inheritance does: Parent.call(this)), it initialises the receiver.
    const child = {}
    Wrapped.call(child, 5)
    assert.equal(child.x, 5)
  })

  test('a bound function stays constructible, and instanceof asks the original', () => {
    class Shape {
      constructor(size) {
        this.size = size
      }
    }
    const Bound = Shape.bind(null, 7)
    const Wrapped = wrap({ Bound }, 'Bound', tracer('x', []))
    const shape = new Wrapped()
    assert.equal(shape.size, 7)
    assert.ok(shape instanceof Shape)
    assert.ok(shape instanceof Wrapped)
    assert.equal({} instanceof Wrapped, false)
  })
})

describe('async functions and generators', () => {
  test('an async function stays promise-returning; results and rejections pass through', async () => {
    const owner = {
      async twice(x) {
        await null
        if (x < 0) throw new RangeError('negative')
        return x * 2
      },
    }
    const original = owner.twice
    const log = []
    const wrapped = wrap(owner, 'twice', tracer('async', log))
    const result = owner.twice(2)
    assert.ok(result instanceof Promise)
    assert.equal(await result, 4)
    await assert.rejects(owner.twice(-1), { name: 'RangeError' })
    assert.deepEqual(log, ['async', 'async'])
    assert.throws(() => new wrapped(), TypeError)
    // Documented: the constructor is forwarded, util.types cannot be fooled without changing timing.
    assert.equal(wrapped.constructor.name, 'AsyncFunction')
    assert.equal(util.types.isAsyncFunction(original), true)
    assert.equal(util.types.isAsyncFunction(wrapped), false)
  })

  test('a generator stays a generator: it returns an iterator that yields lazily', () => {
    let ran = false
    const owner = {
      *count(n) {
        ran = true
        for (let i = 0; i < n; i++) yield i
      },
    }
    const original = owner.count
    const wrapped = wrap(owner, 'count', tracer('gen', []))
    const iterator = owner.count(3)
    assert.equal(ran, false)
    assert.equal(typeof iterator.next, 'function')
    assert.deepEqual([...iterator], [0, 1, 2])
    assert.ok(owner.count(1) instanceof wrapped)
    assert.ok(owner.count(1) instanceof original)
    assert.equal(wrapped.prototype, original.prototype)
    assert.equal(wrapped.constructor.name, 'GeneratorFunction')
    assert.throws(() => new wrapped(), TypeError)
  })

  test('an async generator returns an async iterator', async () => {
    const owner = {
      async *ticks(n) {
        for (let i = 0; i < n; i++) yield i
      },
    }
    const wrapped = wrap(owner, 'ticks', tracer('agen', []))
    const seen = []
    for await (const tick of owner.ticks(3)) seen.push(tick)
    assert.deepEqual(seen, [0, 1, 2])
    assert.equal(typeof owner.ticks(1)[Symbol.asyncIterator], 'function')
    assert.equal(wrapped.constructor.name, 'AsyncGeneratorFunction')
  })
})

describe('accessors', () => {
  function makeOwner() {
    const owner = {
      _value: 1,
      get value() {
        return this._value
      },
      set value(v) {
        this._value = v
      },
    }
    return owner
  }

  test('{ get, set } wraps both halves with the wrapt contract; unwrap restores the exact descriptor', () => {
    const owner = makeOwner()
    const before = Object.getOwnPropertyDescriptor(owner, 'value')
    const gets = []
    const sets = []
    const result = wrap(owner, 'value', {
      get: (original, thisArg, args, newTarget) => {
        gets.push({ original, thisArg, args, newTarget })
        return original.apply(thisArg, args) * 100
      },
      set: (original, thisArg, args, newTarget) => {
        sets.push({ original, thisArg, args, newTarget })
        original.apply(thisArg, [args[0] + 1])
        return 'ignored'
      },
    })
    assert.equal(owner.value, 100)
    owner.value = 5
    assert.equal(owner._value, 6)
    assert.deepEqual(gets[0], { original: before.get, thisArg: owner, args: [], newTarget: undefined })
    assert.deepEqual(sets[0], { original: before.set, thisArg: owner, args: [5], newTarget: undefined })
    const during = Object.getOwnPropertyDescriptor(owner, 'value')
    assert.equal(during.get, result.get)
    assert.equal(during.set, result.set)
    assert.equal(during.enumerable, before.enumerable)
    assert.equal(during.configurable, before.configurable)
    assert.equal(during.get.name, before.get.name)
    assert.equal(isWrapped(during.get), true)
    assert.deepEqual(getOriginal(owner, 'value'), { get: before.get, set: before.set })
    assert.equal(unwrap(owner, 'value'), true)
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'value'), before)
    assert.equal(isWrapped(result.get), false)
  })

  test('only a getter wrapper: the setter stays the original function', () => {
    const owner = makeOwner()
    const before = Object.getOwnPropertyDescriptor(owner, 'value')
    wrap(owner, 'value', { get: (original, thisArg) => -original.call(thisArg) })
    assert.equal(owner.value, -1)
    assert.equal(Object.getOwnPropertyDescriptor(owner, 'value').set, before.set)
    owner.value = 3
    assert.equal(owner.value, -3)
  })

  test('a getter on a class prototype, wrapped there and on an instance (inherited: own accessor, deleted on unwrap)', () => {
    class Box {
      constructor() {
        this.inside = 2
      }
      get doubled() {
        return this.inside * 2
      }
    }
    const before = Object.getOwnPropertyDescriptor(Box.prototype, 'doubled')
    wrapMethod(Box, 'doubled', { get: (original, thisArg) => original.call(thisArg) + 1 })
    const box = new Box()
    assert.equal(box.doubled, 5)
    wrap(box, 'doubled', { get: (original, thisArg) => original.call(thisArg) * 10 })
    assert.equal(box.doubled, 50)
    assert.equal(new Box().doubled, 5)
    const own = Object.getOwnPropertyDescriptor(box, 'doubled')
    assert.equal(own.configurable, true)
    assert.equal(own.enumerable, before.enumerable)
    assert.equal(unwrap(box, 'doubled'), true)
    assert.equal(Object.getOwnPropertyDescriptor(box, 'doubled'), undefined)
    assert.equal(box.doubled, 5)
    assert.equal(unwrap(Box.prototype, 'doubled'), true)
    assert.deepEqual(Object.getOwnPropertyDescriptor(Box.prototype, 'doubled'), before)
  })

  test('accessor layers stack and unwrap by wrapper, by its get half, or all at once', () => {
    const owner = makeOwner()
    const before = Object.getOwnPropertyDescriptor(owner, 'value')
    const log = []
    const first = { get: tracer('first', log) }
    const second = { get: tracer('second', log), set: tracer('second-set', log) }
    wrap(owner, 'value', first)
    wrap(owner, 'value', second)
    void owner.value
    assert.deepEqual(log.splice(0), ['second', 'first'])
    owner.value = 2
    assert.deepEqual(log.splice(0), ['second-set'])
    assert.equal(unwrap(owner, 'value', first.get), true)
    void owner.value
    assert.deepEqual(log.splice(0), ['second'])
    assert.equal(unwrap(owner, 'value', second), true)
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'value'), before)
  })
})

describe('stacks of layers', () => {
  for (const order of permutations(['A', 'B', 'C'])) {
    test(`three layers removed in the order ${order.join(', ')}: the rest keep running, newest first`, () => {
      const log = []
      function original(x) {
        log.push('original')
        return x + 1
      }
      const owner = {}
      Object.defineProperty(owner, 'f', { value: original, writable: true, enumerable: false, configurable: true })
      const before = Object.getOwnPropertyDescriptor(owner, 'f')
      const wrappers = { A: tracer('A', log), B: tracer('B', log), C: tracer('C', log) }
      for (const label of ['A', 'B', 'C']) wrap(owner, 'f', wrappers[label])
      // A reference taken while all three were in place, as an app would hold it.
      const captured = owner.f
      assert.equal(owner.f(1), 2)
      assert.deepEqual(log.splice(0), ['C', 'B', 'A', 'original'])
      let remaining = ['C', 'B', 'A']
      for (const label of order) {
        assert.equal(unwrap(owner, 'f', wrappers[label]), true)
        remaining = remaining.filter((l) => l !== label)
        assert.equal(owner.f(1), 2)
        assert.deepEqual(log.splice(0), [...remaining, 'original'], `through the property after removing ${label}`)
        assert.equal(captured(1), 2)
        assert.deepEqual(log.splice(0), [...remaining, 'original'], `through the captured reference after removing ${label}`)
        assert.equal(getOriginal(owner, 'f'), original)
      }
      assert.equal(owner.f, original)
      assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), before)
      assert.equal(isWrapped(captured), false)
      assert.equal(unwrap(owner, 'f'), false)
      assert.equal(unwrap(owner, 'f', wrappers.A), false)
    })
  }

  test('unwrap(owner, name) removes every layer at once; references taken before pass straight through', () => {
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    wrap(owner, 'f', tracer('A', log))
    const middle = wrap(owner, 'f', tracer('B', log))
    const top = wrap(owner, 'f', tracer('C', log))
    assert.equal(isWrapped(top), true)
    assert.equal(isWrapped(middle), true)
    assert.equal(unwrap(owner, 'f'), true)
    assert.equal(owner.f, original)
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), { value: original, writable: true, enumerable: true, configurable: true })
    top()
    middle()
    assert.deepEqual(log, ['original', 'original'])
    assert.equal(isWrapped(top), false)
  })

  test('the same wrapper twice makes two layers; unwrap with it removes the topmost one', () => {
    const log = []
    const owner = { f: () => log.push('original') }
    const twice = tracer('T', log)
    wrap(owner, 'f', twice)
    wrap(owner, 'f', tracer('U', log))
    wrap(owner, 'f', twice)
    assert.equal(unwrap(owner, 'f', twice), true)
    owner.f()
    assert.deepEqual(log, ['U', 'T', 'original'])
  })

  test('unwrap with a wrapper that is not in the stack returns false and keeps every layer', () => {
    const log = []
    const owner = { f: () => log.push('original') }
    wrap(owner, 'f', tracer('A', log))
    assert.equal(unwrap(owner, 'f', tracer('other', log)), false)
    owner.f()
    assert.deepEqual(log, ['A', 'original'])
  })

  test('wrapping again after a full unwrap starts a fresh stack on the restored original', () => {
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    wrap(owner, 'f', tracer('A', log))
    unwrap(owner, 'f')
    wrap(owner, 'f', tracer('B', log))
    owner.f()
    assert.deepEqual(log, ['B', 'original'])
    assert.equal(getOriginal(owner, 'f'), original)
  })

  test('the wrapped function copied to another owner or name is not that property\'s stack: unwrap returns false there', () => {
    const log = []
    const owner = { f: () => log.push('original') }
    const wrapped = wrap(owner, 'f', tracer('A', log))
    const other = { f: wrapped }
    owner.g = wrapped
    assert.equal(unwrap(other, 'f'), false)
    assert.equal(unwrap(owner, 'g'), false)
    assert.equal(other.f, wrapped)
    assert.equal(owner.g, wrapped)
    owner.f()
    assert.deepEqual(log, ['A', 'original'])
  })

  test('a lower layer put back on the property by hand is not the stack\'s top: unwrap leaves it alone', () => {
    const owner = { f: () => 'original' }
    const lower = wrap(owner, 'f', tracer('A', []))
    wrap(owner, 'f', tracer('B', []))
    owner.f = lower
    assert.equal(unwrap(owner, 'f'), false)
    assert.equal(owner.f, lower)
  })

  test('an owner that refuses the second layer: PATCHRUN_E_WRAP, and the stack is as before', () => {
    const log = []
    let refuse = false
    const target = { f: () => log.push('original') }
    const owner = new Proxy(target, {
      defineProperty: (t, key, descriptor) => (refuse ? false : Reflect.defineProperty(t, key, descriptor)),
    })
    const first = tracer('A', log)
    const second = tracer('B', log)
    wrap(owner, 'f', first)
    refuse = true
    assertWrapError(() => wrap(owner, 'f', second), ['.f', 'putting the wrapped function in place failed'])
    refuse = false
    owner.f()
    assert.deepEqual(log.splice(0), ['A', 'original'])
    assert.equal(unwrap(owner, 'f', second), false)
    assert.equal(unwrap(owner, 'f', first), true)
    owner.f()
    assert.deepEqual(log, ['original'])
  })

  test('a property replaced by someone else after the wrap is left alone by unwrap', () => {
    const original = () => 'original'
    const owner = { f: original }
    wrap(owner, 'f', tracer('A', []))
    const foreign = () => 'foreign'
    owner.f = foreign
    assert.equal(unwrap(owner, 'f'), false)
    assert.equal(owner.f, foreign)
  })
})

describe('exact property restore', () => {
  const shapes = [
    { title: 'enumerable, writable', writable: true, enumerable: true },
    { title: 'non-enumerable, writable', writable: true, enumerable: false },
    { title: 'enumerable, read-only but configurable', writable: false, enumerable: true },
    { title: 'non-enumerable, read-only but configurable', writable: false, enumerable: false },
  ]
  for (const { title, writable, enumerable } of shapes) {
    test(`own data property, ${title}: kept while wrapped, restored exactly`, () => {
      const original = () => 'original'
      const owner = {}
      Object.defineProperty(owner, 'f', { value: original, writable, enumerable, configurable: true })
      const before = Object.getOwnPropertyDescriptor(owner, 'f')
      const wrapped = wrap(owner, 'f', tracer('x', []))
      assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), { ...before, value: wrapped })
      assert.equal(owner.f(), 'original')
      assert.equal(unwrap(owner, 'f'), true)
      assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), before)
      assert.equal(owner.f, original)
    })

    test(`inherited data property, ${title}: an own shadow while wrapped, none after`, () => {
      const original = () => 'original'
      const proto = {}
      Object.defineProperty(proto, 'f', { value: original, writable, enumerable, configurable: true })
      const owner = Object.create(proto)
      const wrapped = wrap(owner, 'f', tracer('x', []))
      assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), { value: wrapped, writable, enumerable, configurable: true })
      assert.equal(proto.f, original)
      assert.equal(unwrap(owner, 'f'), true)
      assert.equal(Object.getOwnPropertyDescriptor(owner, 'f'), undefined)
      assert.equal(owner.f, original)
    })
  }

  test('non-configurable but writable: wrapped and restored by assignment, attributes untouched', () => {
    const original = () => 'original'
    const owner = {}
    Object.defineProperty(owner, 'f', { value: original, writable: true, enumerable: false, configurable: false })
    const before = Object.getOwnPropertyDescriptor(owner, 'f')
    const log = []
    const wrapped = wrap(owner, 'f', tracer('x', log))
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), { ...before, value: wrapped })
    owner.f()
    assert.deepEqual(log, ['x'])
    assert.equal(unwrap(owner, 'f'), true)
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), before)
  })

  test('a sealed object (non-configurable, writable) can be wrapped by assignment', () => {
    const original = () => 'original'
    const owner = Object.seal({ f: original })
    const wrapped = wrap(owner, 'f', tracer('x', []))
    assert.equal(owner.f, wrapped)
    unwrap(owner, 'f')
    assert.equal(owner.f, original)
  })
})

describe('module namespaces', () => {
  // import-in-the-middle hands hooks a Proxy of a namespace whose `set` and value-only `defineProperty`
  // traps write the module's `export let` binding; this is the same handler over a real ES module.
  const SOURCE = [
    'export let greet = function greet(name) { return `hello ${name}` }',
    'export function callGreet(name) { return greet(name) }',
    'export function __write(name, value) { if (name === "greet") { greet = value; return true } return false }',
  ].join('\n')

  async function importNamespace() {
    return import(`data:text/javascript,${encodeURIComponent(`${SOURCE}\n// ${Math.random()}`)}`)
  }

  function iitmLikeProxy(namespace) {
    return new Proxy(namespace, {
      set: (target, name, value) => target.__write(name, value),
      defineProperty: (target, name, descriptor) => {
        if (!('value' in descriptor)) throw new Error('Getters/setters are not supported for exports property descriptors.')
        return target.__write(name, descriptor.value)
      },
    })
  }

  test('through an import-in-the-middle style proxy: wrapped by assignment, live inside the module, restored', async () => {
    const namespace = await importNamespace()
    const proxy = iitmLikeProxy(namespace)
    const original = namespace.greet
    const before = Object.getOwnPropertyDescriptor(proxy, 'greet')
    assert.deepEqual(before, { value: original, writable: true, enumerable: true, configurable: false })
    const log = []
    const wrapped = wrap(proxy, 'greet', tracer('ns', log))
    assert.equal(namespace.greet, wrapped)
    assert.equal(namespace.callGreet('you'), 'hello you')
    assert.deepEqual(log, ['ns'])
    assert.equal(getOriginal(proxy, 'greet'), original)
    assert.equal(unwrap(proxy, 'greet'), true)
    assert.equal(namespace.greet, original)
    assert.deepEqual(Object.getOwnPropertyDescriptor(proxy, 'greet'), before)
  })

  test('through a proxy with only a set trap (older import-in-the-middle): assignment, never defineProperty', async () => {
    const namespace = await importNamespace()
    const proxy = new Proxy(namespace, { set: (target, name, value) => target.__write(name, value) })
    const original = namespace.greet
    const wrapped = wrap(proxy, 'greet', tracer('ns', []))
    assert.equal(namespace.greet, wrapped)
    assert.equal(unwrap(proxy, 'greet'), true)
    assert.equal(namespace.greet, original)
  })

  test('a proxy whose set trap accepts but ignores the value: PATCHRUN_E_WRAP naming the namespace', async () => {
    const namespace = await importNamespace()
    const proxy = new Proxy(namespace, { set: () => true })
    const original = namespace.greet
    assertWrapError(() => wrap(proxy, 'greet', tracer('x', [])), ['cannot wrap module namespace { __write, callGreet, greet }.greet', 'did not change'])
    assert.equal(namespace.greet, original)
  })

  test('a plain ES module namespace is read-only: PATCHRUN_E_WRAP, and nothing changed', async () => {
    const namespace = await importNamespace()
    const original = namespace.greet
    assertWrapError(() => wrap(namespace, 'greet', tracer('x', [])), ['cannot wrap module namespace { __write, callGreet, greet }.greet', 'read-only'])
    assert.equal(namespace.greet, original)
  })
})

describe('isWrapped and getOriginal', () => {
  test('isWrapped is true only for a function made by wrap whose layer is in place', () => {
    const original = () => 1
    const owner = { f: original }
    assert.equal(isWrapped(original), false)
    assert.equal(isWrapped(undefined), false)
    assert.equal(isWrapped({}), false)
    const wrapped = wrap(owner, 'f', tracer('x', []))
    assert.equal(isWrapped(wrapped), true)
    assert.equal(isWrapped(original), false)
    const marks = Object.getOwnPropertySymbols(wrapped)
    assert.equal(marks.length, 1)
    assert.equal(Object.keys(wrapped).length, 0)
    unwrap(owner, 'f')
    assert.equal(isWrapped(wrapped), false)
  })

  test('getOriginal: the first original through several layers, and through a wrapped prototype', () => {
    class Local {
      m() {
        return 'm'
      }
    }
    const original = Local.prototype.m
    wrapMethod(Local, 'm', tracer('A', []))
    wrapMethod(Local, 'm', tracer('B', []))
    assert.equal(getOriginal(Local.prototype, 'm'), original)
    const instance = new Local()
    assert.equal(getOriginal(instance, 'm'), original)
    wrap(instance, 'm', tracer('C', []))
    assert.equal(getOriginal(instance, 'm'), original)
  })

  test('getOriginal follows several stacks: instance over subclass prototype over base prototype', () => {
    class Base {
      m() {
        return 'm'
      }
    }
    class Sub extends Base {}
    const original = Base.prototype.m
    wrapMethod(Base, 'm', tracer('base', []))
    wrap(Sub.prototype, 'm', tracer('sub', []))
    const instance = new Sub()
    wrap(instance, 'm', tracer('instance', []))
    assert.equal(getOriginal(instance, 'm'), original)
    assert.equal(getOriginal(Sub.prototype, 'm'), original)
  })

  test('getOriginal of what is not wrapped is its value (or accessor pair); of a missing property, undefined', () => {
    const f = () => 1
    const get = () => 2
    const owner = { f, n: 3 }
    Object.defineProperty(owner, 'a', { get, configurable: true })
    assert.equal(getOriginal(owner, 'f'), f)
    assert.equal(getOriginal(owner, 'n'), 3)
    assert.deepEqual(getOriginal(owner, 'a'), { get, set: undefined })
    assert.equal(getOriginal(owner, 'missing'), undefined)
  })

  test('a second copy of patchrun in the process sees and extends the same stacks', () => {
    const keys = Object.keys(require.cache).filter((file) => file.startsWith(path.join(ROOT, 'dist', 'wrap')))
    const saved = keys.map((key) => [key, require.cache[key]])
    for (const key of keys) delete require.cache[key]
    const second = require(WRAP)
    for (const [key, module] of saved) require.cache[key] = module
    assert.notEqual(second.wrap, wrap)
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    wrap(owner, 'f', tracer('first-copy', log))
    second.wrap(owner, 'f', tracer('second-copy', log))
    owner.f()
    assert.deepEqual(log.splice(0), ['second-copy', 'first-copy', 'original'])
    assert.equal(second.isWrapped(owner.f), true)
    assert.equal(second.getOriginal(owner, 'f'), original)
    assert.equal(second.unwrap(owner, 'f'), true)
    assert.equal(owner.f, original)
  })
})

describe('several names at once', () => {
  test('wrap(owner, [names], wrapper) returns the wrapped functions in order; unwrap takes a list too', () => {
    const log = []
    const owner = { a: () => log.push('a'), b: () => log.push('b') }
    const [a, b] = wrap(owner, ['a', 'b'], tracer('w', log))
    assert.equal(owner.a, a)
    assert.equal(owner.b, b)
    owner.a()
    owner.b()
    assert.deepEqual(log, ['w', 'a', 'w', 'b'])
    assert.deepEqual(unwrap(owner, ['a', 'b']), [true, true])
    assert.deepEqual(unwrap(owner, ['a', 'b']), [false, false])
  })

  test('one bad name in the list: PATCHRUN_E_WRAP and none of the names is wrapped', () => {
    const a = () => 'a'
    const owner = { a, n: 1 }
    assertWrapError(() => wrap(owner, ['a', 'n'], tracer('w', [])), ['.n', 'holds a number (1)'])
    assert.equal(owner.a, a)
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'a'), { value: a, writable: true, enumerable: true, configurable: true })
  })

  test('a name listed twice: PATCHRUN_E_WRAP', () => {
    const owner = { a: () => 'a' }
    assertWrapError(() => wrap(owner, ['a', 'a'], tracer('w', [])), ['a name twice'])
    assert.equal(isWrapped(owner.a), false)
  })
})

describe('the change journal', () => {
  function journal() {
    const changes = []
    return { changes, recorder: { record: (change) => changes.push(change) } }
  }

  test('each wrap records { action, owner, name, undo }; undo removes exactly that layer, once', () => {
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    const { changes, recorder } = journal()
    wrap(owner, 'f', tracer('A', log), { recorder })
    wrap(owner, 'f', tracer('B', log))
    wrap(owner, 'f', tracer('C', log), { recorder })
    assert.equal(changes.length, 2)
    assert.deepEqual(changes.map(({ action, owner: o, name }) => ({ action, o, name })), [
      { action: 'wrap', o: owner, name: 'f' },
      { action: 'wrap', o: owner, name: 'f' },
    ])
    changes[0].undo()
    owner.f()
    assert.deepEqual(log.splice(0), ['C', 'B', 'original'])
    changes[0].undo()
    owner.f()
    assert.deepEqual(log.splice(0), ['C', 'B', 'original'])
    changes[1].undo()
    owner.f()
    assert.deepEqual(log.splice(0), ['B', 'original'])
  })

  test('undoing every wrap of a patch, newest first, restores the descriptor', () => {
    const original = () => 1
    const owner = {}
    Object.defineProperty(owner, 'f', { value: original, writable: false, enumerable: false, configurable: true })
    const before = Object.getOwnPropertyDescriptor(owner, 'f')
    const { changes, recorder } = journal()
    wrap(owner, 'f', tracer('A', []), { recorder })
    wrap(owner, 'f', tracer('B', []), { recorder })
    for (const change of changes.reverse()) change.undo()
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), before)
  })

  test('an unwrap records its change; undo puts the removed layers back in order, except ones whose wrap was undone', () => {
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    const { changes, recorder } = journal()
    wrap(owner, 'f', tracer('A', log), { recorder })
    wrap(owner, 'f', tracer('B', log), { recorder })
    assert.equal(unwrap(owner, 'f', undefined, { recorder }), true)
    assert.equal(changes[2].action, 'unwrap')
    assert.equal(owner.f, original)
    changes[2].undo()
    owner.f()
    assert.deepEqual(log.splice(0), ['B', 'A', 'original'])
    unwrap(owner, 'f', undefined, { recorder })
    changes[0].undo()
    changes[3].undo()
    owner.f()
    assert.deepEqual(log.splice(0), ['B', 'original'])
  })

  test('undo is idempotent, also for an unwrap undone twice around the undo of the wrap it put back', () => {
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    const { changes, recorder } = journal()
    wrap(owner, 'f', tracer('A', log), { recorder })
    unwrap(owner, 'f', undefined, { recorder })
    changes[1].undo()
    changes[0].undo()
    changes[1].undo()
    assert.equal(owner.f, original)
    owner.f()
    assert.deepEqual(log, ['original'])
  })

  test('undoing an unwrap puts its layers on top of layers added since', () => {
    const log = []
    const owner = { f: () => log.push('original') }
    const { changes, recorder } = journal()
    wrap(owner, 'f', tracer('A', log))
    wrap(owner, 'f', tracer('B', log))
    unwrap(owner, 'f', undefined, { recorder })
    wrap(owner, 'f', tracer('X', log))
    changes[0].undo()
    owner.f()
    assert.deepEqual(log, ['B', 'A', 'X', 'original'])
  })

  test('an unwrap that removes nothing records nothing; a failed wrap records nothing', () => {
    const owner = { f: () => 1, n: 2 }
    const { changes, recorder } = journal()
    assert.equal(unwrap(owner, 'f', undefined, { recorder }), false)
    assert.throws(() => wrap(owner, 'n', tracer('x', []), { recorder }))
    assert.throws(() => wrap(owner, ['f', 'n'], tracer('x', []), { recorder }))
    assert.deepEqual(changes, [])
  })

  test('a list of names records one change per name', () => {
    const owner = { a: () => 1, b: () => 2 }
    const { changes, recorder } = journal()
    wrap(owner, ['a', 'b'], tracer('x', []), { recorder })
    assert.deepEqual(changes.map((c) => c.name), ['a', 'b'])
  })

  test('undo after someone else wrapped on top: our layer passes through inside theirs, theirs stays', () => {
    const log = []
    const original = () => log.push('original')
    const owner = { f: original }
    const { changes, recorder } = journal()
    wrap(owner, 'f', tracer('ours', log), { recorder })
    const ours = owner.f
    const theirs = function () {
      log.push('theirs')
      return ours.apply(this, arguments)
    }
    owner.f = theirs
    changes[0].undo()
    assert.equal(owner.f, theirs)
    owner.f()
    assert.deepEqual(log, ['theirs', 'original'])
  })
})

describe('PATCHRUN_E_WRAP for every bad input', () => {
  const fn = () => 1
  const cases = [
    ['owner null', () => wrap(null, 'f', fn), ['null', 'Pass the object']],
    ['owner undefined', () => wrap(undefined, 'f', fn), ['undefined']],
    ['owner a number', () => wrap(42, 'f', fn), ['a number (42)']],
    ['owner a string', () => wrap('text', 'f', fn), ['a string ("text")']],
    ['name a number', () => wrap({ f: fn }, 1, fn), ['a number (1)', 'string or a symbol']],
    ['name missing', () => wrap({ f: fn }, undefined, fn), ['property name is undefined']],
    ['name an object', () => wrap({ f: fn }, {}, fn), ['property name is an object']],
    ['wrapper missing', () => wrap({ f: fn }, 'f'), ['.f', 'the wrapper is undefined']],
    ['wrapper a string', () => wrap({ f: fn }, 'f', 'nope'), ['the wrapper is a string']],
    ['wrapper an array', () => wrap({ f: fn }, 'f', [fn]), ['the wrapper is an array']],
    ['accessor wrapper with neither half', () => wrap({ f: fn }, 'f', {}), ['the wrapper is an object', '{ get?, set? }']],
    ['accessor wrapper with a non-function half', () => wrap({ get a() { return 1 } }, 'a', { get: 1 }), ['the wrapper is an object']],
    ['options a number', () => wrap({ f: fn }, 'f', fn, 5), ['the options are a number (5)']],
    ['recorder without record()', () => wrap({ f: fn }, 'f', fn, { recorder: {} }), ['recorder.record(change)']],
    ['missing property', () => wrap({ f: fn }, 'nope', fn), ['object { f }.nope', 'does not exist']],
    ['missing method on a prototype', () => wrapMethod(class Thing {}, 'nope', fn), ['Thing.prototype.nope', 'does not exist']],
    ['property holding a number', () => wrap({ n: 1 }, 'n', fn), ['.n', 'holds a number (1), not a function']],
    ['property holding an object', () => wrap({ o: {} }, 'o', fn), ['holds an object, not a function']],
    ['property holding undefined', () => wrap({ u: undefined }, 'u', fn), ['holds undefined']],
    ['function wrapper on an accessor', () => wrap({ get a() { return 1 } }, 'a', fn), ['.a', 'is an accessor', '{ get, set }']],
    ['accessor wrapper on a data property', () => wrap({ f: fn }, 'f', { get: fn }), ['is a data property', 'function wrapper']],
    ['set wrapper on a getter-only accessor', () => wrap({ get a() { return 1 } }, 'a', { set: fn }), ['has no setter', 'Leave out the set wrapper']],
    ['get wrapper on a setter-only accessor', () => wrap({ set a(v) {} }, 'a', { get: fn }), ['has no getter']],
    ['frozen property', () => wrap(Object.freeze({ f: fn }), 'f', fn), ['.f', 'read-only and non-configurable', 'before the object is frozen']],
    ['non-configurable accessor', () => wrap(Object.defineProperty({}, 'a', { get: fn }), 'a', { get: fn }), ['non-configurable accessor']],
    ['inherited by a non-extensible owner', () => {
      class Thing {
        m() {}
      }
      return wrap(Object.preventExtensions(new Thing()), 'm', fn)
    }, ['Thing instance.m', 'not extensible', 'on Thing.prototype']],
    ['wrapMethod on a non-function', () => wrapMethod({}, 'm', fn), ['wrapMethod', 'needs a class']],
    ['wrapMethod on an arrow (no prototype)', () => wrapMethod(() => {}, 'm', fn), ['has no prototype object']],
    ['unwrap owner null', () => unwrap(null, 'f'), ['unwrap', 'null']],
    ['unwrap name a number', () => unwrap({}, 1), ['unwrap', 'a number (1)']],
    ['unwrap wrapper a number', () => unwrap({ f: fn }, 'f', 3), ['unwrap', 'the wrapper is a number (3)']],
    ['unwrap recorder without record()', () => unwrap({ f: fn }, 'f', undefined, { recorder: 1 }), ['recorder']],
    ['getOriginal owner undefined', () => getOriginal(undefined, 'f'), ['getOriginal', 'undefined']],
  ]
  for (const [title, run, facts] of cases) {
    test(title, () => {
      assertWrapError(run, facts)
    })
  }

  test('a failed wrap changes nothing on the owner', () => {
    const owner = { f: fn }
    const before = Object.getOwnPropertyDescriptor(owner, 'f')
    assert.throws(() => wrap(owner, 'f', { get: fn }))
    assert.throws(() => wrap(owner, 'f', 'nope'))
    assert.deepEqual(Object.getOwnPropertyDescriptor(owner, 'f'), before)
    assert.deepEqual(Object.getOwnPropertySymbols(fn), [])
  })

  test('a wrapped property keeps rejecting the wrong kind of wrapper', () => {
    const owner = { f: fn }
    wrap(owner, 'f', tracer('x', []))
    assertWrapError(() => wrap(owner, 'f', { get: fn }), ['is a data property'])
  })

  test('unwrap of a missing or never-wrapped property returns false', () => {
    assert.equal(unwrap({}, 'missing'), false)
    assert.equal(unwrap({ f: fn }, 'f'), false)
    assert.equal(unwrap({ n: 1 }, 'n'), false)
  })
})
