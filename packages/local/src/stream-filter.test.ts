import { describe, expect, it } from "vitest";
import { compileFilters, InvalidFilterPatternError, matchesFilterPattern, parseFilterPattern, type FilterInput } from "./stream-filter.ts";

/** The sample record of the Lambda docs' DynamoDB filtering page (keys CustomerName; AccountManager, PaymentTerms). */
const docRecord = {
  eventID: "1",
  eventVersion: "1.0",
  eventName: "INSERT",
  dynamodb: {
    ApproximateCreationDateTime: 1678831218,
    Keys: { CustomerName: { S: "AnyCompany Industries" } },
    NewImage: {
      AccountManager: { S: "Pat Candella" },
      PaymentTerms: { S: "60 days" },
      CustomerName: { S: "AnyCompany Industries" },
    },
    SequenceNumber: "111",
    SizeBytes: 26,
    StreamViewType: "NEW_IMAGE",
  },
};

function matches(pattern: FilterInput, record: unknown = docRecord): boolean {
  return matchesFilterPattern(parseFilterPattern(pattern), record);
}

describe("stream-filter: the documented DynamoDB examples", () => {
  it("filters on a table key", () => {
    expect(matches({ dynamodb: { Keys: { CustomerName: { S: ["AnyCompany Industries"] } } } })).toBe(true);
    expect(matches({ dynamodb: { Keys: { CustomerName: { S: ["Other Co"] } } } })).toBe(false);
  });

  it("filters on a table attribute in NewImage", () => {
    expect(matches({ dynamodb: { NewImage: { AccountManager: { S: ["Pat Candella"] } } } })).toBe(true);
    expect(matches({ dynamodb: { NewImage: { AccountManager: { S: ["Someone Else"] } } } })).toBe(false);
  });

  it("accepts the escaped Pattern string form of FilterCriteria", () => {
    const criteria = {
      Filters: [{ Pattern: '{ "dynamodb" : { "Keys" : { "CustomerName" : { "S" : [ "AnyCompany Industries" ] } } } }' }],
    };
    expect(compileFilters(criteria)(docRecord)).toBe(true);
  });

  it("filters on a boolean attribute", () => {
    const record = { dynamodb: { NewImage: { id: { BOOL: true } } }, eventName: "INSERT" };
    // The CDK docs' example: eventName INSERT and NewImage.id.BOOL true.
    expect(matches({ eventName: ["INSERT"], dynamodb: { NewImage: { id: { BOOL: [true] } } } }, record)).toBe(true);
    expect(matches({ dynamodb: { NewImage: { id: { BOOL: [false] } } } }, record)).toBe(false);
  });

  it("exists works on leaves only: test the type key, not the attribute object", () => {
    expect(matches({ dynamodb: { NewImage: { PaymentTerms: { S: [{ exists: true }] } } } })).toBe(true);
    expect(matches({ dynamodb: { NewImage: { Missing: { S: [{ exists: true }] } } } })).toBe(false);
    expect(matches({ dynamodb: { NewImage: { Missing: { S: [{ exists: false }] } } } })).toBe(true);
    // The documented pitfall: PaymentTerms itself is an object, not a leaf.
    expect(matches({ dynamodb: { NewImage: { PaymentTerms: [{ exists: true }] } } })).toBe(false);
  });

  it("the Nyang stacks' filter: ledger entries inserted", () => {
    const filter = compileFilters([{ dynamodb: { NewImage: { kind: { S: ["entry"] } } }, eventName: ["INSERT"] }]);
    const record = (eventName: string, kind: string) => ({ eventName, dynamodb: { NewImage: { kind: { S: kind } } } });
    expect(filter(record("INSERT", "entry"))).toBe(true);
    expect(filter(record("MODIFY", "entry"))).toBe(false);
    expect(filter(record("INSERT", "hold"))).toBe(false);
    expect(filter({ eventName: "REMOVE", dynamodb: { OldImage: { kind: { S: "entry" } } } })).toBe(false);
  });
});

describe("stream-filter: the comparison operators of the rule-syntax table", () => {
  const event = {
    UserID: null,
    LastName: "",
    Name: "Alice",
    Location: "New York",
    Day: "Monday",
    PaymentType: "Credit",
    Weather: "Sunny",
    Price: 100,
    ProductName: "Cat food",
    Region: "us-east-1",
    FileName: "photo.PNG",
  };
  const cases: [string, FilterInput, boolean][] = [
    ["null", { UserID: [null] }, true],
    ["null is not missing", { Nope: [null] }, false],
    ["empty", { LastName: [""] }, true],
    ["equals", { Name: ["Alice"] }, true],
    ["equals is case-sensitive", { Name: ["alice"] }, false],
    ["equals-ignore-case", { Name: [{ "equals-ignore-case": "aLiCe" }] }, true],
    ["and", { Location: ["New York"], Day: ["Monday"] }, true],
    ["and (one side fails)", { Location: ["New York"], Day: ["Tuesday"] }, false],
    ["or", { PaymentType: ["Debit", "Credit"] }, true],
    ["or (none)", { PaymentType: ["Debit", "Cash"] }, false],
    ["not (anything-but)", { Weather: [{ "anything-but": ["Raining"] }] }, true],
    ["not (anything-but, excluded)", { Weather: [{ "anything-but": ["Raining", "Sunny"] }] }, false],
    ["anything-but a single value", { Weather: [{ "anything-but": "Sunny" }] }, false],
    ["anything-but needs the field", { Nope: [{ "anything-but": ["x"] }] }, false],
    ["anything-but prefix", { Region: [{ "anything-but": { prefix: "eu-" } }] }, true],
    ["anything-but prefix (excluded)", { Region: [{ "anything-but": { prefix: "us-" } }] }, false],
    ["anything-but suffix", { FileName: [{ "anything-but": { suffix: ".png" } }] }, true],
    ["anything-but equals-ignore-case", { FileName: [{ "anything-but": { "equals-ignore-case": ["PHOTO.png"] } }] }, false],
    ["numeric equals", { Price: [{ numeric: ["=", 100] }] }, true],
    ["numeric range", { Price: [{ numeric: [">", 10, "<=", 100] }] }, true],
    ["numeric range (outside)", { Price: [{ numeric: [">", 100, "<=", 200] }] }, false],
    ["numeric never matches a string", { Name: [{ numeric: [">", 0] }] }, false],
    ["exists", { ProductName: [{ exists: true }] }, true],
    ["does not exist", { ProductName: [{ exists: false }] }, false],
    ["does not exist (absent)", { Brand: [{ exists: false }] }, true],
    ["begins with", { Region: [{ prefix: "us-" }] }, true],
    ["begins with (no)", { Region: [{ prefix: "eu-" }] }, false],
    ["begins with, ignoring case", { Region: [{ prefix: { "equals-ignore-case": "US-" } }] }, true],
    ["ends with", { FileName: [{ suffix: ".PNG" }] }, true],
    ["ends with, ignoring case", { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] }, true],
    ["wildcard", { FileName: [{ wildcard: "photo.*" }] }, true],
    ["wildcard (no)", { FileName: [{ wildcard: "*.jpg" }] }, false],
    ["$or", { $or: [{ Name: ["Bob"] }, { Price: [{ numeric: [">", 50] }] }] }, true],
    ["$or (none)", { $or: [{ Name: ["Bob"] }, { Price: [{ numeric: [">", 500] }] }] }, false],
    ["exact number", { Price: [100] }, true],
    ["a number is not its string", { Price: ["100"] }, false],
  ];
  it.each(cases)("%s", (_name, pattern, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });

  it("DynamoDB numbers are strings: match N values as text, numeric only on real numbers", () => {
    const record = { dynamodb: { NewImage: { amount: { N: "150" } }, SizeBytes: 26 } };
    expect(matches({ dynamodb: { NewImage: { amount: { N: ["150"] } } } }, record)).toBe(true);
    expect(matches({ dynamodb: { NewImage: { amount: { N: [{ numeric: [">", 100] }] } } } }, record)).toBe(false);
    expect(matches({ dynamodb: { SizeBytes: [{ numeric: ["<", 1024] }] } }, record)).toBe(true);
  });

  it("an array in the record matches when any element does", () => {
    expect(matches({ tags: ["b"] }, { tags: ["a", "b"] })).toBe(true);
    expect(matches({ tags: ["c"] }, { tags: ["a", "b"] })).toBe(false);
    expect(matches({ items: { sku: ["x"], qty: [2] } }, { items: [{ sku: "x", qty: 1 }, { sku: "y", qty: 2 }] })).toBe(false);
    expect(matches({ items: { sku: ["y"], qty: [2] } }, { items: [{ sku: "x", qty: 1 }, { sku: "y", qty: 2 }] })).toBe(true);
  });
});

describe("stream-filter: several filters and no filters", () => {
  it("ORs the filters of one consumer", () => {
    const filter = compileFilters([{ eventName: ["INSERT"] }, { eventName: ["REMOVE"] }]);
    expect(filter({ eventName: "INSERT" })).toBe(true);
    expect(filter({ eventName: "REMOVE" })).toBe(true);
    expect(filter({ eventName: "MODIFY" })).toBe(false);
  });

  it("lets everything through without filters", () => {
    expect(compileFilters(undefined)({ anything: 1 })).toBe(true);
    expect(compileFilters([])({ anything: 1 })).toBe(true);
    expect(compileFilters({})({ anything: 1 })).toBe(true);
  });
});

describe("stream-filter: patterns Lambda refuses", () => {
  const bad: [string, FilterInput][] = [
    ["a bare value instead of a list", { eventName: "INSERT" } as FilterInput],
    ["not JSON", "{ eventName: [INSERT] }"],
    ["not an object", "[1, 2]"],
    ["an empty pattern", {}],
    ["an unknown operator", { a: [{ "starts-with": "x" }] }],
    ["two keys in one operator", { a: [{ prefix: "x", suffix: "y" }] }],
    ["a numeric with a bad operator", { a: [{ numeric: ["!=", 1] }] }],
    ["a numeric range upside down", { a: [{ numeric: ["<", 10, ">", 1] }] }],
    ["exists with a string", { a: [{ exists: "yes" }] }],
    ["$or with one branch", { $or: [{ a: ["x"] }] }],
  ];
  it.each(bad)("%s", (_name, pattern) => {
    expect(() => parseFilterPattern(pattern)).toThrow(InvalidFilterPatternError);
  });

  it("names the offending path", () => {
    expect(() => compileFilters([{ dynamodb: { NewImage: { kind: { S: "entry" } } } } as FilterInput])).toThrow(
      /filter 0\.dynamodb\.NewImage\.kind\.S must be a list/,
    );
  });

  it("refuses more than ten filters", () => {
    expect(() => compileFilters(Array.from({ length: 11 }, () => ({ a: ["x"] })))).toThrow(/at most 10/);
  });
});
