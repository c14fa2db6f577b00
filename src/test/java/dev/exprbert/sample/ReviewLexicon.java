package dev.exprbert.sample;

/**
 * Word lists for {@link ReviewSampleGenerator}. Multi-word entries are split on spaces into tokens.
 * Distractors are deliberate: words that look like an expression of one type in a context where they
 * are something else ("fine dining" is an MWE, not praise; "Nice" is a city; "the night manager" has
 * no time; "at the end of the day" is a discourse MWE, not a TIME).
 */
final class ReviewLexicon {
  private ReviewLexicon() {}

  static final String[] HOTEL_ASPECTS = {"the room", "the breakfast", "the staff", "the bed", "the view", "the bathroom",
      "the wifi", "the lobby", "the location", "the shower", "our suite", "the receptionist", "the cleaning crew", "the mattress"};
  static final String[] RESTAURANT_ASPECTS = {"the pasta", "the service", "the waiter", "the dessert", "the soup", "the steak",
      "our table", "the bread", "the chef", "the portion size", "the curry", "the fish", "the music", "the coffee"};
  static final String[] PRODUCT_ASPECTS = {"the battery", "the screen", "the charger", "the keyboard", "the camera", "the case",
      "the speaker", "the app", "the packaging", "the strap", "the lens", "the microphone", "the cable", "the display"};

  /** Compound nouns and fixed phrases that name one thing: tagged MWE when they appear as aspects. */
  static final String[] HOTEL_MWES = {"room service", "front desk", "air conditioning", "swimming pool", "car park",
      "hot tub", "continental breakfast", "fitness centre", "bed and breakfast", "minibar"};
  static final String[] RESTAURANT_MWES = {"set menu", "happy hour", "wine list", "fine dining", "house wine",
      "side salad", "cold brew", "tasting menu", "table service", "fish and chips"};
  static final String[] PRODUCT_MWES = {"battery life", "customer service", "power button", "user manual", "sound quality",
      "build quality", "touch screen", "noise cancelling", "software update", "return policy"};

  /** Sentence-level discourse MWEs, used as openers. */
  static final String[] DISCOURSE_MWES = {"all in all", "on the whole", "by and large", "to be honest", "at the end of the day",
      "first of all", "as far as I know", "in a nutshell", "last but not least", "for what it is worth"};

  static final String[] POSITIVE = {"great", "spotless", "really friendly", "absolutely delicious", "worth every penny",
      "very comfortable", "a real bargain", "excellent", "top notch", "quick and helpful", "lovely", "well worth the price",
      "superb", "incredibly tasty", "perfect", "better than expected", "nice and quiet", "beautifully presented", "fantastic",
      "surprisingly good", "pleasant", "first class", "reliable", "good value for money"};
  static final String[] NEGATIVE = {"dirty", "terribly slow", "rude", "a complete waste of money", "overpriced",
      "far too noisy", "disappointing", "cold and bland", "not worth it", "a bit cramped", "unhelpful", "way too expensive",
      "awful", "badly scratched", "not great", "mediocre at best", "broken", "flimsy", "noisy", "painfully slow",
      "a total letdown", "not clean", "poor", "completely useless"};
  /** Whole-sentence verdicts. */
  static final String[] POSITIVE_VERDICTS = {"would definitely recommend", "highly recommended", "we will be back",
      "I loved it", "can not fault it"};
  static final String[] NEGATIVE_VERDICTS = {"would not recommend", "never again", "avoid at all costs", "I want my money back",
      "stay away"};

  /** Points in time, used after "on", "in", "at" or alone; durations after "for" and "after". */
  static final String[] DEICTIC_TIMES = {"yesterday", "last night", "this morning", "two weeks ago", "the next day",
      "last weekend", "earlier today", "a month ago", "the following morning", "last summer", "tonight", "the day before"};
  static final String[] ON_TIMES = {"Monday", "Friday evening", "Christmas Day", "Sunday morning", "our anniversary",
      "the first night", "Saturday", "the last day", "Valentine's Day", "Tuesday afternoon"};
  static final String[] IN_TIMES = {"March", "2019", "the evening", "early spring", "late August", "the morning",
      "December", "the afternoon", "peak season", "2023"};
  static final String[] AT_TIMES = {"lunchtime", "noon", "7 pm", "midnight", "breakfast time", "half past eight", "dawn",
      "10 am"};
  static final String[] DURATIONS = {"ten minutes", "an hour", "three nights", "two days", "a week", "half an hour",
      "twenty minutes", "six months", "a few days", "forty minutes", "a year", "five nights"};

  static final String[] SUBJECTS = {"we", "I", "my husband", "my wife", "our family", "my colleague", "the kids", "my partner",
      "my friend and I", "our group"};
  static final String[] HOTEL_VERBS = {"stayed there", "checked in", "arrived", "booked a double room", "visited",
      "came back"};
  static final String[] RESTAURANT_VERBS = {"had dinner there", "ate there", "ordered takeaway", "went for lunch",
      "celebrated there", "booked a table"};
  static final String[] PRODUCT_VERBS = {"bought it", "ordered this", "received the parcel", "started using it",
      "upgraded to this model", "got it as a gift"};

  /** Sentences with no expression at all, built around look-alike words. */
  static final String[] DISTRACTORS = {"we took a day trip to Nice", "the night manager called a taxi for us",
      "the hotel is next to the Friday market", "my order number ends in 2019", "the great hall is on the second floor",
      "I asked for a room on the ground floor", "the menu changes with the seasons", "the box contains a cable and a manual",
      "the restaurant is a short walk from the station", "they sell morning coffee and evening snacks",
      "the model number is printed on the back", "we parked near the old town", "the charger plugs into any wall socket",
      "the chef used to work in Paris", "my sister recommended this place", "the room faces the inner courtyard"};
}
