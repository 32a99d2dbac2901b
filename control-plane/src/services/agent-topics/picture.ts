import { PassagePicture } from "@gatehouse/shared";
import type { PicturesRepo } from "../../adapters/db/pictures-repo.js";
import type { TopicDeps, TopicHandler } from "./topic-handler.js";

/** A passage's camera picture, stored for the retention period (before or after its passage arrives). */
export function pictureHandler(d: TopicDeps & { pictures: PicturesRepo }): TopicHandler<PassagePicture> {
  return {
    schema: PassagePicture,
    async handle(site, picture) {
      // Passage ids begin with their site: one site's agent may not picture another site's passages.
      if (!picture.passageId.startsWith(`${site}:`)) {
        d.metrics.mqttInvalid.inc({ topic: "events_picture" });
        d.log.warn(
          {
            site,
            topic: "events/picture",
            reason: `passageId: '${picture.passageId}' is not a passage of this site`,
          },
          "dropped an invalid agent message",
        );
        return false;
      }
      if (await d.pictures.store(picture)) {
        d.metrics.pictures.inc();
        d.effects.live.emit({ type: "picture", site, data: { passageId: picture.passageId, site } });
      }
      return true;
    },
  };
}
