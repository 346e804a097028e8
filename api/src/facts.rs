//! Facts that never change once written (which draft a consultation is on, which agency leads a
//! draft, which version a section belongs to and which draft a version is of), remembered in
//! memory so the hot write path does not read them again for every comment. They are immutable,
//! so every instance may keep its own copy; the maps are bounded.

use std::{collections::HashMap, hash::Hash, sync::RwLock};

use sea_orm::{ConnectionTrait, EntityTrait};

use crate::{
    consultation::entity as consultation,
    draft::entity::{draft, section, version},
    error::AppResult,
};

/// Entries per map before it is emptied and refilled from the database.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
pub struct Facts {
    /// consultation → (draft, version consulted on)
    consultations: RwLock<HashMap<i64, (i64, Option<i64>)>>,
    /// draft → lead agency
    drafts: RwLock<HashMap<i64, i64>>,
    /// section → version
    sections: RwLock<HashMap<i64, i64>>,
    /// version → draft
    versions: RwLock<HashMap<i64, i64>>,
}

fn cached<K: Eq + Hash + Copy, V: Copy>(map: &RwLock<HashMap<K, V>>, key: K) -> Option<V> {
    map.read().ok().and_then(|m| m.get(&key).copied())
}

fn remember<K: Eq + Hash, V>(map: &RwLock<HashMap<K, V>>, key: K, value: V) {
    if let Ok(mut m) = map.write() {
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(key, value);
    }
}

impl Facts {
    /// The draft a consultation is on and the version it consults on, if it exists.
    pub async fn consultation(
        &self,
        db: &impl ConnectionTrait,
        id: i64,
    ) -> AppResult<Option<(i64, Option<i64>)>> {
        if let Some(v) = cached(&self.consultations, id) {
            return Ok(Some(v));
        }
        let row = consultation::Entity::find_by_id(id).one(db).await?;
        Ok(row.map(|c| {
            remember(&self.consultations, id, (c.draft_id, c.version_id));
            (c.draft_id, c.version_id)
        }))
    }

    /// The lead agency of a draft, if it exists.
    pub async fn lead_agency(
        &self,
        db: &impl ConnectionTrait,
        draft_id: i64,
    ) -> AppResult<Option<i64>> {
        if let Some(v) = cached(&self.drafts, draft_id) {
            return Ok(Some(v));
        }
        let row = draft::Entity::find_by_id(draft_id).one(db).await?;
        Ok(row.map(|d| {
            remember(&self.drafts, draft_id, d.lead_agency_id);
            d.lead_agency_id
        }))
    }

    /// The version a section belongs to, if it exists.
    pub async fn section_version(
        &self,
        db: &impl ConnectionTrait,
        section_id: i64,
    ) -> AppResult<Option<i64>> {
        if let Some(v) = cached(&self.sections, section_id) {
            return Ok(Some(v));
        }
        let row = section::Entity::find_by_id(section_id).one(db).await?;
        Ok(row.map(|s| {
            remember(&self.sections, section_id, s.version_id);
            s.version_id
        }))
    }

    /// The draft a version is of, if it exists.
    pub async fn version_draft(
        &self,
        db: &impl ConnectionTrait,
        version_id: i64,
    ) -> AppResult<Option<i64>> {
        if let Some(v) = cached(&self.versions, version_id) {
            return Ok(Some(v));
        }
        let row = version::Entity::find_by_id(version_id).one(db).await?;
        Ok(row.map(|v| {
            remember(&self.versions, version_id, v.draft_id);
            v.draft_id
        }))
    }
}
