import { describe, expect, it } from "vitest";
import {
  exceptionSignature,
  findExceptions,
  parseException,
  rootCause,
} from "../../../src/investigate/mining/traceback.js";

const entry = (...lines: string[]) => lines.join("\n");

const PYTHON_VALUE_ERROR = entry(
  "2026-11-25T20:01:02.345Z ERROR checkout unhandled exception in POST /checkout",
  "Traceback (most recent call last):",
  '  File "/app/.venv/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app',
  "    response = self.full_dispatch_request()",
  "               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  '  File "/app/checkout/views.py", line 58, in checkout',
  "    price = catalog.price_for(item_id, quantity)",
  '  File "/app/checkout/catalog.py", line 112, in price_for',
  "    shape = self._shape(item_id)",
  '  File "/app/checkout/catalog.py", line 97, in _shape',
  '    raise ValueError(f"unsupported catalog shape for item_id={item_id}")',
  "ValueError: unsupported catalog shape for item_id=item-142-3",
);

describe("parseException: Python", () => {
  it("parses a traceback after a log line, innermost frame first", () => {
    const parsed = parseException(PYTHON_VALUE_ERROR);
    expect(parsed).toEqual({
      language: "python",
      type: "ValueError",
      message: "unsupported catalog shape for item_id=item-142-3",
      frames: [
        {
          file: "/app/checkout/catalog.py",
          line: 97,
          function: "_shape",
          code: 'raise ValueError(f"unsupported catalog shape for item_id={item_id}")',
        },
        {
          file: "/app/checkout/catalog.py",
          line: 112,
          function: "price_for",
          code: "shape = self._shape(item_id)",
        },
        {
          file: "/app/checkout/views.py",
          line: 58,
          function: "checkout",
          code: "price = catalog.price_for(item_id, quantity)",
        },
        {
          file: "/app/.venv/lib/python3.12/site-packages/flask/app.py",
          line: 1473,
          function: "wsgi_app",
          code: "response = self.full_dispatch_request()",
        },
      ],
    });
  });

  it("keeps the last exception of a chain as primary and the earlier one as its cause", () => {
    const parsed = parseException(
      entry(
        "Traceback (most recent call last):",
        '  File "/app/checkout/catalog.py", line 88, in _shape',
        "    return SHAPES[raw['shape']]",
        "KeyError: 'bundle'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        '  File "/app/checkout/views.py", line 58, in checkout',
        "    price = catalog.price_for(item_id, quantity)",
        '  File "/app/checkout/catalog.py", line 90, in _shape',
        '    raise ValueError(f"unsupported catalog shape for item_id={item_id}")',
        "ValueError: unsupported catalog shape for item_id=item-142-3",
      ),
    );
    expect(parsed?.type).toBe("ValueError");
    expect(parsed?.frames.map((f) => f.line)).toEqual([90, 58]);
    expect(parsed?.cause).toEqual({
      type: "KeyError",
      message: "'bundle'",
      frames: [
        {
          file: "/app/checkout/catalog.py",
          line: 88,
          function: "_shape",
          code: "return SHAPES[raw['shape']]",
        },
      ],
    });
    expect(parsed && rootCause(parsed).type).toBe("KeyError");
  });

  it("follows an explicit `raise ... from` chain", () => {
    const parsed = parseException(
      entry(
        "Traceback (most recent call last):",
        '  File "/app/db.py", line 12, in connect',
        "    sock.connect(addr)",
        "ConnectionRefusedError: [Errno 111] Connection refused",
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        "Traceback (most recent call last):",
        '  File "/app/db.py", line 14, in connect',
        '    raise DatabaseUnavailable("postgres at db:5432") from err',
        "app.errors.DatabaseUnavailable: postgres at db:5432",
      ),
    );
    expect(parsed?.type).toBe("app.errors.DatabaseUnavailable");
    expect(parsed?.cause?.type).toBe("ConnectionRefusedError");
    expect(parsed?.cause?.message).toBe("[Errno 111] Connection refused");
  });

  it("accepts an exception without a message", () => {
    const parsed = parseException(
      entry(
        "Traceback (most recent call last):",
        '  File "/app/worker.py", line 5, in <module>',
        "    time.sleep(60)",
        "KeyboardInterrupt",
      ),
    );
    expect(parsed).toMatchObject({
      type: "KeyboardInterrupt",
      message: "",
      frames: [{ function: "<module>" }],
    });
  });

  it("ignores a traceback cut off before its exception line", () => {
    expect(
      parseException(
        entry("Traceback (most recent call last):", '  File "/app/x.py", line 3, in f', "    g()"),
      ),
    ).toBeUndefined();
  });
});

describe("parseException: JavaScript", () => {
  it("parses a V8 stack after a log prefix, with every frame shape", () => {
    const parsed = parseException(
      entry(
        "2026-11-25T20:01:02.345Z ERROR api request failed TypeError: Cannot read properties of undefined (reading 'price')",
        "    at priceOf (/app/src/cart.js:41:23)",
        "    at Array.map (<anonymous>)",
        "    at async checkout (file:///app/src/routes/checkout.mjs:17:5)",
        "    at /app/src/server.js:88:5",
      ),
    );
    expect(parsed).toEqual({
      language: "javascript",
      type: "TypeError",
      message: "Cannot read properties of undefined (reading 'price')",
      frames: [
        { file: "/app/src/cart.js", line: 41, function: "priceOf" },
        { file: "<anonymous>", line: 0, function: "Array.map" },
        { file: "/app/src/routes/checkout.mjs", line: 17, function: "checkout" },
        { file: "/app/src/server.js", line: 88 },
      ],
    });
  });

  it("finds the error below Node's uncaught-exception preamble", () => {
    const parsed = parseException(
      entry(
        "/app/src/server.js:12",
        "    throw new RangeError('quantity out of range: ' + q);",
        "    ^",
        "",
        "RangeError: quantity out of range: 0",
        "    at validate (/app/src/server.js:12:11)",
        "    at Object.<anonymous> (/app/src/server.js:20:1)",
        "    at Module._compile (node:internal/modules/cjs/loader:1364:14)",
        "",
        "Node.js v20.11.1",
      ),
    );
    expect(parsed?.type).toBe("RangeError");
    expect(parsed?.message).toBe("quantity out of range: 0");
    expect(parsed?.frames).toHaveLength(3);
    expect(parsed?.frames[2]).toEqual({
      file: "node:internal/modules/cjs/loader",
      line: 1364,
      function: "Module._compile",
    });
  });

  it("reads a [cause] and Node's error codes", () => {
    const parsed = parseException(
      entry(
        "Error: checkout failed",
        "    at placeOrder (/app/src/orders.js:30:11)",
        "    at async handler (/app/src/server.js:50:3) {",
        "  [cause]: Error: connect ECONNREFUSED 127.0.0.1:5432",
        "      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16) {",
        "    errno: -111,",
        "    code: 'ECONNREFUSED',",
        "    port: 5432",
        "  }",
        "}",
      ),
    );
    expect(parsed?.type).toBe("Error");
    expect(parsed?.frames.map((f) => f.function)).toEqual(["placeOrder", "handler"]);
    expect(parsed?.cause).toEqual({
      type: "Error",
      message: "connect ECONNREFUSED 127.0.0.1:5432",
      frames: [{ file: "node:net", line: 1595, function: "TCPConnectWrap.afterConnect [as oncomplete]" }],
    });
  });

  it("keeps a Node error code in the type", () => {
    const parsed = parseException(
      entry(
        "Error [ERR_HTTP_HEADERS_SENT]: Cannot set headers after they are sent to the client",
        "    at ServerResponse.setHeader (node:_http_outgoing:659:11)",
      ),
    );
    expect(parsed?.type).toBe("Error [ERR_HTTP_HEADERS_SENT]");
    expect(parsed?.message).toBe("Cannot set headers after they are sent to the client");
  });
});

describe("parseException: Java", () => {
  it("parses a JVM trace after a Spring log line, with its cause", () => {
    const parsed = parseException(
      entry(
        "2026-11-25 20:01:02.345 ERROR 1 --- [nio-8080-exec-3] c.s.checkout.CheckoutController : Request processing failed",
        "java.lang.IllegalStateException: Catalog not loaded for item item-142-3",
        "\tat com.shop.catalog.CatalogService.lookup(CatalogService.java:42) ~[app.jar:1.4.2]",
        "\tat com.shop.checkout.CheckoutController.checkout(CheckoutController.java:88) ~[app.jar:1.4.2]",
        "\tat java.base/java.lang.Thread.run(Thread.java:833) ~[na:na]",
        "Caused by: java.io.FileNotFoundException: /data/catalog.json (No such file or directory)",
        "\tat java.base/java.io.FileInputStream.open0(Native Method)",
        "\tat java.base/java.io.FileInputStream.open(FileInputStream.java:216)",
        "\tat com.shop.catalog.CatalogLoader.load(CatalogLoader.java:19)",
        "\t... 2 common frames omitted",
      ),
    );
    expect(parsed?.language).toBe("java");
    expect(parsed?.type).toBe("java.lang.IllegalStateException");
    expect(parsed?.message).toBe("Catalog not loaded for item item-142-3");
    expect(parsed?.frames).toEqual([
      { file: "CatalogService.java", line: 42, function: "com.shop.catalog.CatalogService.lookup" },
      {
        file: "CheckoutController.java",
        line: 88,
        function: "com.shop.checkout.CheckoutController.checkout",
      },
      { file: "Thread.java", line: 833, function: "java.lang.Thread.run" },
    ]);
    expect(parsed?.cause?.type).toBe("java.io.FileNotFoundException");
    expect(parsed?.cause?.message).toBe("/data/catalog.json (No such file or directory)");
    expect(parsed?.cause?.frames[0]).toEqual({
      file: "Native Method",
      line: 0,
      function: "java.io.FileInputStream.open0",
    });
    expect(parsed?.cause?.frames).toHaveLength(3);
  });

  it("follows nested causes and skips suppressed exceptions", () => {
    const parsed = parseException(
      entry(
        'Exception in thread "main" java.lang.RuntimeException: order 991 failed',
        "\tat com.shop.Main.main(Main.java:14)",
        "\tSuppressed: java.io.IOException: close failed",
        "\t\tat com.shop.Db.close(Db.java:80)",
        "\t\t... 1 more",
        "Caused by: com.shop.PaymentException: card declined",
        "\tat com.shop.Payments.charge(Payments.java:33)",
        "\t... 1 more",
        "Caused by: java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
        "\t... 3 more",
      ),
    );
    expect(parsed?.type).toBe("java.lang.RuntimeException");
    expect(parsed?.frames).toEqual([{ file: "Main.java", line: 14, function: "com.shop.Main.main" }]);
    expect(parsed?.cause?.type).toBe("com.shop.PaymentException");
    expect(parsed?.cause?.cause?.type).toBe("java.net.SocketTimeoutException");
    expect(parsed && rootCause(parsed).message).toBe("Read timed out");
    expect(JSON.stringify(parsed)).not.toContain("IOException");
  });
});

describe("parseException: Go", () => {
  it("parses a runtime-error panic", () => {
    const parsed = parseException(
      entry(
        "panic: runtime error: index out of range [5] with length 3",
        "",
        "goroutine 1 [running]:",
        "main.lookup(...)",
        "\t/app/catalog.go:42",
        "main.main()",
        "\t/app/main.go:20 +0x1d",
        "exit status 2",
      ),
    );
    expect(parsed).toEqual({
      language: "go",
      type: "runtime error",
      message: "index out of range [5] with length 3",
      frames: [
        { file: "/app/catalog.go", line: 42, function: "main.lookup" },
        { file: "/app/main.go", line: 20, function: "main.main" },
      ],
    });
  });

  it("starts an explicit panic's frames at the caller and reads only the panicking goroutine", () => {
    const parsed = parseException(
      entry(
        'panic: unsupported catalog shape "bundle"',
        "",
        "goroutine 18 [running]:",
        "panic({0x6d2f60?, 0xc000112340?})",
        "\t/usr/local/go/src/runtime/panic.go:770 +0x132",
        "main.(*Catalog).Shape(0xc0000a6000, {0xc00001c0a8, 0xa})",
        "\t/app/catalog.go:57 +0x1e5",
        "main.handleCheckout({0x7f1a40, 0xc0001b2000}, 0xc0001a4000)",
        "\t/app/handlers.go:31 +0x8c",
        "created by net/http.(*Server).Serve in goroutine 1",
        "\t/usr/local/go/src/net/http/server.go:3285 +0x4b4",
        "",
        "goroutine 1 [IO wait]:",
        "internal/poll.runtime_pollWait(0x7f3c2c5a0e28, 0x72)",
        "\t/usr/local/go/src/runtime/netpoll.go:345 +0x85",
      ),
    );
    expect(parsed?.type).toBe("panic");
    expect(parsed?.message).toBe('unsupported catalog shape "bundle"');
    expect(parsed?.frames).toEqual([
      { file: "/app/catalog.go", line: 57, function: "main.(*Catalog).Shape" },
      { file: "/app/handlers.go", line: 31, function: "main.handleCheckout" },
    ]);
  });

  it("parses net/http's recovered handler panic", () => {
    const parsed = parseException(
      entry(
        "2026/11/25 20:01:02 http: panic serving 10.0.0.7:51514: assignment to entry in nil map",
        "goroutine 34 [running]:",
        "net/http.(*conn).serve.func1()",
        "\t/usr/local/go/src/net/http/server.go:1903 +0xbe",
        "panic({0x6a1b20?, 0x7b0c90?})",
        "\t/usr/local/go/src/runtime/panic.go:770 +0x132",
        "main.(*Cart).Add(...)",
        "\t/app/cart.go:18",
        "main.handleAdd({0x7f1a40, 0xc0001b2000}, 0xc0001a4000)",
        "\t/app/handlers.go:52 +0x1a5",
      ),
    );
    expect(parsed?.message).toBe("assignment to entry in nil map");
    expect(parsed?.frames[0]).toEqual({ file: "/app/cart.go", line: 18, function: "main.(*Cart).Add" });
    expect(parsed?.frames).toHaveLength(2);
  });

  it("makes the last of several panics primary", () => {
    const parsed = parseException(
      entry(
        "panic: first failure [recovered]",
        "\tpanic: second failure",
        "",
        "goroutine 1 [running]:",
        "main.main.func1()",
        "\t/app/main.go:8 +0x2c",
      ),
    );
    expect(parsed?.message).toBe("second failure");
    expect(parsed?.cause?.message).toBe("first failure");
  });
});

describe("parseException: not an exception", () => {
  it.each([
    ["a one-line error", "2026-11-25T20:01:02Z ERROR checkout Error: connection refused"],
    ["a one-line mention of a traceback", "ERROR Traceback (most recent call last): see above"],
    ["indented prose with 'at'", entry("config loaded:", "  at least 3 replicas", "  retries: 5")],
    ["a panic mentioned without a stack", entry("recovered from panic: boom", "continuing")],
    ["a stack frame without any error line", entry("", "    at somewhere (/app/x.js:1:1)")],
    ["plain multi-line text", entry("Dear operator,", "the disk is 91% full.", "Regards")],
  ])("%s", (_name, text) => {
    expect(parseException(text)).toBeUndefined();
  });
});

describe("findExceptions", () => {
  it("reports which entries hold exceptions", () => {
    const entries = [
      "2026-11-25T20:01:01Z INFO checkout access method=POST path=/checkout status=200",
      PYTHON_VALUE_ERROR,
      "2026-11-25T20:01:03Z WARN checkout slow request duration_ms=812",
      entry("panic: boom", "", "goroutine 1 [running]:", "main.main()", "\t/app/main.go:9 +0x1d"),
    ];
    const found = findExceptions(entries);
    expect(found.map((f) => [f.entryIndex, f.exception.language, f.exception.type])).toEqual([
      [1, "python", "ValueError"],
      [3, "go", "panic"],
    ]);
  });

  it("returns nothing for entries without exceptions", () => {
    expect(findExceptions(["a", "b\nc", ""])).toEqual([]);
  });
});

describe("exceptionSignature", () => {
  it("names the type and where it was raised, not the message", () => {
    const parsed = parseException(PYTHON_VALUE_ERROR);
    const other = parseException(PYTHON_VALUE_ERROR.replace("item-142-3", "item-9-3"));
    expect(parsed && exceptionSignature(parsed)).toBe(
      "python ValueError at /app/checkout/catalog.py:97 in _shape",
    );
    expect(other && exceptionSignature(other)).toBe(parsed && exceptionSignature(parsed));
  });
});
